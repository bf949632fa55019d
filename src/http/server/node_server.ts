/**
 * Serving through `node:http`, which both Deno and Bun implement. We use it instead of Deno's or Bun's
 * serve() because it is the only server API that, on both runtimes, tells an absolute-form request line
 * (`GET http://host:9100/metrics HTTP/1.1`, a scrape arriving through `proxy_url`) apart from an ordinary one,
 * and it costs less memory per idle long-poll connection (runtime-facts.md).
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type {
  ConnInfo,
  Handler,
  PeerCertificate,
  ServeOptions,
  Server,
  ServerTls,
} from "../../runtime/types.ts";
import { toPeerCertificate } from "./peer_certificate.ts";
import { nodeReadableToWeb, writeWebBodyToNode } from "./node_streams.ts";
import { isAbsoluteForm, requestUrl } from "./request_target.ts";
import { MAX_HEADER_FIELDS } from "../../wire/request_head.ts";
import { connectionBudget, ConnectionGate } from "./connection_gate.ts";
import { checkTransferEncoding, closeAfter, rawHeader, refuse, refuseUnparsed } from "./node_refusals.ts";

/** What a runtime's node:http leaves undone, which this adapter must then do itself. */
export interface NodeHttpQuirks {
  /** The runtime ignores `headersTimeout`/`keepAliveTimeout` (Deno), so each socket gets our own timer. */
  readonly enforceTimeouts: boolean;
  /**
   * The runtime accepts connections ahead of JavaScript and stops accepting for good once accept() fails
   * with EMFILE (Deno), so closing surplus connections comes too late; it does stop accepting while more
   * connections are open than the listen backlog rounded up to a power of two, and resumes as they close.
   */
  readonly backlogBoundsConnections?: boolean;
}

/** Starts a server whose handler sees Web `Request`s and returns Web `Response`s. */
export function serveNodeHttp(
  options: ServeOptions,
  quirks: NodeHttpQuirks = { enforceTimeouts: false },
): Promise<Server> {
  const peers = options.tls?.requestCert ? new WeakMap<Socket, PeerCertificate | null>() : null;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(options.handler, req, res, headersTimeoutMs, options.tls !== undefined, peers).catch(() =>
      res.destroy()
    );
  };
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
    // Long polls may legitimately stay open for minutes (upstream Go clients are never answered), so no
    // overall request timeout; only the head must arrive promptly (slowloris guard).
    requestTimeout: 0,
    headersTimeout: headersTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
  };
  const server = options.tls
    ? https.createServer({ ...serverOptions, ...nodeTls(options.tls) }, listener)
    : http.createServer(serverOptions, listener);
  server.on(
    "clientError",
    (error: Error & { code?: string }, socket: Socket) => refuseUnparsed(error, socket),
  );
  const budget = options.maxConnections ?? connectionBudget();
  // The largest power of two within the budget: the runtime then holds at most that many connections.
  const backlog = quirks.backlogBoundsConnections && budget !== Infinity
    ? 2 ** Math.floor(Math.log2(budget))
    : undefined;
  const gate = new ConnectionGate(
    backlog ?? budget,
    (event) => options.onConnectionLimit?.(event.kind === "full", event.limit),
  );
  server.on("connection", (socket: Socket) => {
    if (!gate.admit()) return void socket.destroy();
    socket.once("close", () => gate.release());
  });
  if (quirks.enforceTimeouts) {
    guardIdleSockets(server, options.tls ? "secureConnection" : "connection", headersTimeoutMs);
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const listening = () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      resolve({
        hostname: address.address,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
        updateTls: (tls) => updateTls(server, tls),
      });
    };
    const hostname = options.hostname || undefined;
    if (backlog === undefined) server.listen(options.port, hostname, listening);
    else server.listen(options.port, hostname, backlog - 1, listening);
  });
}

const KEEP_ALIVE_MS = 65_000;

function nodeTls(tls: ServerTls) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.rejectUnauthorized ?? false,
    minVersion: tls.minVersion ?? "TLSv1.2",
  } as const;
}

/** New material for new connections (Deno); Bun's node:https has no setSecureContext. */
function updateTls(server: http.Server, tls: ServerTls): Promise<void> {
  const secure = server as Partial<Pick<https.Server, "setSecureContext">>;
  if (typeof secure.setSecureContext !== "function") {
    return Promise.reject(
      new TypeError("this server cannot load a new certificate without a restart (node:https on Bun)"),
    );
  }
  try {
    // Deno's setSecureContext takes anything and every later handshake fails: check the pair first.
    if (!new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key))) {
      throw new TypeError("the key is not the certificate's");
    }
    secure.setSecureContext(nodeTls(tls));
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve();
}

/**
 * Deno's node:http accepts `headersTimeout` and `keepAliveTimeout` but does not enforce them (measured: a
 * half-sent head stayed open indefinitely), so we enforce both ourselves: a connection must deliver a head
 * within `headersTimeoutMs` of opening, and within the keep-alive time of its previous response. While a
 * request is being handled (a long poll for minutes) nothing is armed. Bun enforces the server options itself,
 * so it is spared a timer per request.
 */
function guardIdleSockets(
  server: http.Server,
  // With TLS, requests carry the TLS socket, which "secureConnection" hands out ("connection" gives the TCP one).
  connectionEvent: "connection" | "secureConnection",
  headersTimeoutMs: number,
): void {
  const timers = new Map<Socket, ReturnType<typeof setTimeout>>();
  const arm = (socket: Socket, ms: number) => {
    clearTimeout(timers.get(socket));
    timers.set(socket, setTimeout(() => socket.destroy(), ms));
  };
  const disarm = (socket: Socket) => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  };
  server.on(connectionEvent, (socket: Socket) => {
    arm(socket, headersTimeoutMs);
    socket.once("close", () => disarm(socket));
  });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    disarm(socket);
    res.once("finish", () => {
      if (!socket.destroyed) arm(socket, KEEP_ALIVE_MS);
    });
  });
}

async function handle(
  handler: Handler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  stallMs: number,
  tls: boolean,
  peers: WeakMap<Socket, PeerCertificate | null> | null,
): Promise<void> {
  const target = req.url ?? "/";
  const absoluteForm = isAbsoluteForm(target);
  if (req.rawHeaders.length > 2 * MAX_HEADER_FIELDS) {
    return refuse(req, res, 431, `request head has more than ${MAX_HEADER_FIELDS} header fields`);
  }
  let url: string;
  try {
    url = requestUrl({
      method: req.method ?? "GET",
      target,
      version: `HTTP/${req.httpVersion}`,
      host: rawHeader(req, "host"),
      tls,
    });
    checkTransferEncoding(req);
  } catch (error) {
    return refuse(req, res, 400, (error as Error).message);
  }
  const aborter = new AbortController();
  // "close" before the response finished means the peer went away: a dead long poll must be forgotten at once.
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort(new Error("connection closed by peer"));
  });

  let small: Uint8Array | null = null;
  const declared = smallDeclaredLength(req);
  if (declared !== null) {
    small = await readWholeBody(req, declared, stallMs);
    if (small === null) return refuse(req, res, 408, `request body did not arrive within ${stallMs / 1000}s`);
  }
  let request: Request;
  try {
    request = toWebRequest(req, url, aborter.signal, small);
  } catch (error) {
    return refuse(req, res, 400, `bad request: ${(error as Error).message}`);
  }
  const info: ConnInfo = peers === null ? { absoluteForm, remoteAddress: req.socket.remoteAddress ?? "" } : {
    absoluteForm,
    remoteAddress: req.socket.remoteAddress ?? "",
    peerCertificate: peerOf(req.socket, peers),
  };
  const response = await handler(request, info);
  // A body nobody read to its end leaves the connection unable to find the next request: close it.
  if (!req.complete) return closeAfter(req, res, () => writeResponse(res, response, "close"));
  await writeResponse(res, response);
}

/**
 * The client certificate of a TLS connection, read once per connection; undefined where the runtime's
 * node:https cannot tell (Bun's sockets there have no getPeerCertificate).
 */
function peerOf(
  socket: Socket,
  peers: WeakMap<Socket, PeerCertificate | null>,
): PeerCertificate | null | undefined {
  const known = peers.get(socket);
  if (known !== undefined) return known;
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== "function") return undefined;
  const peer = toPeerCertificate(
    tls.getPeerCertificate(),
    tls.authorized === true,
    String(tls.authorizationError ?? ""),
  );
  peers.set(socket, peer);
  return peer;
}

function toWebRequest(
  req: http.IncomingMessage,
  url: string,
  signal: AbortSignal,
  wholeBody: Uint8Array | null,
): Request {
  // One constructor call rather than an append per field: on Bun that is several times cheaper.
  const headers = new Headers(pairs(req.rawHeaders));
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    body: !hasBody
      ? null
      : wholeBody !== null
      ? wholeBody as Uint8Array<ArrayBuffer>
      : nodeReadableToWeb(req),
    signal,
    // @ts-expect-error: `duplex` is required by fetch implementations for stream bodies but missing from lib types.
    duplex: "half",
  });
}

/**
 * Bodies up to this size that declare their length (polls: an FQDN; pushes of small scrapes) are read whole
 * before the handler runs: a byte body costs a fraction of a stream bridge, both in CPU per request and in
 * memory per held long poll.
 */
const SMALL_BODY_BYTES = 16 * 1024;

function smallDeclaredLength(req: http.IncomingMessage): number | null {
  if (req.headers["transfer-encoding"] !== undefined) return null;
  const value = req.headers["content-length"];
  if (value === undefined || !/^\d{1,5}$/.test(value)) return null;
  const length = Number(value);
  return length <= SMALL_BODY_BYTES ? length : null;
}

/** The whole body, or null when it stalled for `stallMs` or the peer went away first. */
function readWholeBody(
  req: http.IncomingMessage,
  length: number,
  stallMs: number,
): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const whole = new Uint8Array(length);
    let offset = 0;
    const finish = (result: Uint8Array | null) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Uint8Array) => {
      // node:http enforces the declared length, so this never overflows; the check is cheap insurance.
      if (offset + chunk.byteLength > length) return finish(null);
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    };
    const onEnd = () => finish(offset === length ? whole : null);
    const onClose = () => finish(null);
    const timer = setTimeout(() => finish(null), stallMs);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("close", onClose);
  });
}

/** Hop-by-hop and framing headers: node:http frames the body itself. */
const NOT_RELAYED = new Set(["transfer-encoding", "connection", "keep-alive"]);

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

async function writeResponse(
  res: http.ServerResponse,
  response: Response,
  connection?: "close",
): Promise<void> {
  const headers: string[] = [];
  response.headers.forEach((value, name) => {
    if (NOT_RELAYED.has(name) || name === "set-cookie") return;
    headers.push(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push("set-cookie", cookie);
  // A handler that ends the connection (the proxy's answers to polls at shutdown) says so, and so does this
  // adapter when the request body was left unread; node:http then closes after this response.
  if (connection !== undefined || /\bclose\b/i.test(response.headers.get("connection") ?? "")) {
    headers.push("connection", "close");
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  await writeWebBodyToNode(response.body, res);
}
