/**
 * Serving through `node:http`, which both Deno and Bun implement. We use it instead of Deno's or Bun's
 * serve() because it is the only server API that, on both runtimes, tells an absolute-form request line
 * (`GET http://host:9100/metrics HTTP/1.1`, a scrape arriving through `proxy_url`) apart from an ordinary one,
 * and it costs less memory per idle long-poll connection (runtime-facts.md).
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type {
  ConnInfo,
  Handler,
  PeerCertificate,
  ServeOptions,
  Server,
  ServerTls,
} from "../../runtime/types.ts";
import { nodeTls, peerOf, updateNodeTls } from "./node_tls.ts";
import { guardIdleSockets } from "./node_idle_guard.ts";
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
  const budget = options.maxConnections ?? connectionBudget();
  // The largest power of two within the budget: the runtime then holds at most that many connections.
  const backlog = quirks.backlogBoundsConnections && budget !== Infinity
    ? 2 ** Math.floor(Math.log2(budget))
    : undefined;
  const gate = new ConnectionGate(
    backlog ?? budget,
    (event) => options.onConnectionLimit?.(event.kind === "full", event.limit),
  );
  const create = (tls: ServerTls | undefined) => {
    const server = tls
      ? https.createServer({ ...serverOptions, ...nodeTls(tls) }, listener)
      : http.createServer(serverOptions, listener);
    server.on(
      "clientError",
      (error: Error & { code?: string }, socket: Socket) => refuseUnparsed(error, socket),
    );
    server.on("connection", (socket: Socket) => {
      if (!gate.admit()) return void socket.destroy();
      socket.once("close", () => gate.release());
    });
    if (quirks.enforceTimeouts) {
      guardIdleSockets(server, tls ? "secureConnection" : "connection", headersTimeoutMs, KEEP_ALIVE_MS);
    }
    return server;
  };
  const listen = (server: http.Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const listening = () => {
        server.off("error", reject);
        resolve();
      };
      const hostname = options.hostname || undefined;
      if (backlog === undefined) server.listen(port, hostname, listening);
      else server.listen(port, hostname, backlog - 1, listening);
    });
  // More than one only after a rotation without setSecureContext: replaced servers keep their connections.
  const servers = [create(options.tls)];
  let current = options.tls;

  return listen(servers[0], options.port).then(() => {
    const address = servers[0].address() as AddressInfo;
    const relisten = async (tls: ServerTls) => {
      const next = create(tls);
      servers[servers.length - 1].close();
      try {
        await listen(next, address.port);
      } catch (error) {
        const back = create(current);
        await listen(back, address.port);
        servers.push(back);
        throw error;
      }
      servers.push(next);
      current = tls;
    };
    return {
      hostname: address.address,
      port: address.port,
      close: () =>
        Promise.all(servers.map((server) =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          })
        )).then(() => {}),
      updateTls: (tls: ServerTls) => updateNodeTls(servers[servers.length - 1], tls, relisten),
    };
  });
}

const KEEP_ALIVE_MS = 65_000;

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
