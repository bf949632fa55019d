/**
 * The proxy's HTTP/1.1 server under Bun, straight over raw TCP sockets (Bun's listen(), given by
 * src/runtime/bun/sockets.ts). It exists because the alternatives cost too much: Bun's serve() rebuilds
 * the URL from the Host header, so it cannot tell a scrape arriving through `proxy_url` (absolute-form
 * request line) from a request for our own pages, and node:http on Bun costs ~7 KB per held long poll and
 * a large share of CPU in its polyfill. Here a held poll costs the socket, one small Connection object,
 * and the Request the handler keeps.
 */
import type { ServeOptions, Server, ServerTls } from "../../runtime/types.ts";
import type { BunListen, BunListener, BunSocket, BunSocketHandlers, BunTlsOptions } from "./socket.ts";
import { Connection, type ConnectionSettings } from "./connection.ts";
import { connectionBudget, ConnectionGate } from "./connection_gate.ts";

/** Keep-alive idle time: longer than common client pools keep idle connections (Go: 90 s is the client's). */
const KEEP_ALIVE_SECONDS = 65;

/**
 * Starts a server whose handler sees Web `Request`s and returns Web `Response`s; same contract as
 * `serveNodeHttp`. `listen` is Bun's listen() (`bunListen`), or a test's fake.
 *
 * @example
 * ```ts
 * const server = await serveBunRaw({ port: 0, handler: () => new Response("ok") }, bunListen);
 * await server.close();
 * ```
 * @throws when the address cannot be bound (rejects with Bun's error).
 */
export function serveBunRaw(
  options: ServeOptions,
  listen: BunListen,
): Promise<Server> {
  let second = 0;
  let date = "";
  const settings: ConnectionSettings = {
    handler: options.handler,
    tls: options.tls !== undefined,
    peerCertificates: options.tls?.requestCert === true,
    maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024,
    headersTimeoutSeconds: Math.max(1, Math.ceil((options.headersTimeoutMs ?? 10_000) / 1000)),
    keepAliveSeconds: KEEP_ALIVE_SECONDS,
    // One Date string per second, not per response: formatting it is a measurable share of a tiny response.
    date: () => {
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) {
        second = now;
        date = new Date(now * 1000).toUTCString();
      }
      return date;
    },
  };
  const gate = new ConnectionGate(
    options.maxConnections ?? connectionBudget(),
    (event) => options.onConnectionLimit?.(event.kind === "full", event.limit),
  );
  // A socket past the gate's budget is closed unopened: it has no Connection, and nothing reaches it.
  const handlers: BunSocketHandlers<Connection | undefined> = {
    open: (socket) => {
      if (gate.admit()) socket.data = new Connection(socket as BunSocket<Connection>, settings);
      else socket.terminate();
    },
    data: (socket, bytes) => socket.data?.receive(bytes),
    drain: (socket) => socket.data?.drain(),
    close: (socket) => {
      const connection = socket.data;
      if (connection === undefined) return;
      socket.data = undefined;
      gate.release();
      connection.closed();
    },
    // A handler of ours threw, or TLS failed: the connection's state can no longer be trusted.
    error: (socket) => {
      socket.terminate();
      socket.data?.closed();
    },
    timeout: (socket) => socket.data?.timedOut(),
  };
  const bind = (hostname: string, port: number, tls: ServerTls | undefined) =>
    listen<Connection | undefined>({
      hostname,
      port,
      tls: tls === undefined ? undefined : bunTls(tls),
      socket: { ...handlers, binaryType: "uint8array" },
    });
  return new Promise((resolve) => {
    // "" means all interfaces; "::" also takes IPv4 where the host has IPv6, like node:http and Go.
    let listener: BunListener;
    let host = options.hostname ?? "";
    if (host) listener = bind(host, options.port, options.tls);
    else {
      try {
        listener = bind(host = "::", options.port, options.tls);
      } catch {
        listener = bind(host = "0.0.0.0", options.port, options.tls);
      }
    }
    let current = options.tls;
    const port = listener.port;
    /** Listeners replaced by a rotation: still holding their open connections until close(). */
    const retired: BunListener[] = [];
    resolve({
      hostname: listener.hostname,
      port,
      close: () => {
        for (const old of retired) old.stop(true);
        listener.stop(true);
        return Promise.resolve();
      },
      // Bun's listener cannot change its TLS material, so a rotation rebinds the port: open connections
      // keep going, and a connection attempt in the microseconds between is refused (and retried by
      // Prometheus and our clients).
      updateTls: (tls) => {
        if (current === undefined) return Promise.reject(new TypeError("the server was started without TLS"));
        listener.stop(false);
        retired.push(listener);
        try {
          listener = bind(host, port, tls);
        } catch (error) {
          listener = bind(host, port, current);
          return Promise.reject(error);
        }
        current = tls;
        return Promise.resolve();
      },
    });
  });
}

/** OpenSSL's SSL_OP_NO_TLSv1_2 (also BoringSSL's): with it only TLS 1.3 is offered. */
const SSL_OP_NO_TLS_1_2 = 0x08000000;

function bunTls(tls: ServerTls): BunTlsOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.rejectUnauthorized ?? false,
    secureOptions: tls.minVersion === "TLSv1.3" ? SSL_OP_NO_TLS_1_2 : undefined,
  };
}
