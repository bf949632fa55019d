/**
 * Our own HTTP/1.1 client for the client's two legs (target and proxy), over any runtime's sockets (a
 * {@linkcode Dial}). Why not the runtime's: fetch gunzips silently, which would corrupt a relayed gzip
 * body; Deno's node:http client raises peak RSS by 100-150 MB for a 100 MiB body, where reading into
 * recycled buffers (response.ts) relays it for about 10 MB; and Bun's node:http client costs ~0.5 ms
 * of CPU per request at the few requests per second a client makes, several times this client's cost.
 * Each adapter gives the client's target and proxy legs one shared pool, so buffers the target filled are
 * reused once pushed.
 *
 * Bytes pass untouched (no decompression). Backpressure: a response body is read from the socket only when
 * its consumer pulls, and a request body chunk is pulled only after the previous one was written.
 */
import { clearInterval, setInterval } from "node:timers";
import type { RawFetch } from "../../runtime/types.ts";
import { headerValue, type OutgoingRequest, outgoingRequest } from "./request.ts";
import { type ByteConn, type Dial, dialUntilAborted } from "./byte_conn.ts";
import { concatBytes, latin1Encode } from "../../wire/bytes_text.ts";
import { statusAllowsBody } from "../../wire/framing.ts";
import { bodyReader, BufferPool, readHead } from "./response.ts";
import type { HeaderLine } from "../../wire/types.ts";
import { WriteBatch } from "./write_batch.ts";

/**
 * Idle keep-alive connections are closed after this long: well before any common server keep-alive timeout
 * (our proxy 65 s, Go's 90 s, node's 5 s), so we rarely reuse a connection the server is just closing.
 */
const IDLE_MS = 3000;
const CRLF = new Uint8Array([0x0d, 0x0a]);
const LAST_CHUNK = new Uint8Array([0x30, 0x0d, 0x0a, 0x0d, 0x0a]);

/** Options of {@linkcode createRawHttpClient}. */
export interface RawHttpClientOptions {
  /** Shared with the client whose request bodies carry this client's response bodies, so buffers recycle. */
  readonly pool?: BufferPool;
  /** How long an unused keep-alive connection is kept, in ms (default 3 s). */
  readonly idleMs?: number;
}

/** A kept-alive connection waiting for the next request to its origin. */
interface Parked {
  readonly conn: ByteConn;
  /** `performance.now()` when it was parked. */
  readonly since: number;
}

/** A RawFetch that can also close its idle keep-alive connections. */
export type ClosableRawFetch = RawFetch & { close(): void };

/**
 * Creates a RawFetch with its own keep-alive connections, one idle list per origin, dialling with `dial`
 * (which carries the TLS settings).
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const targetFetch = createRawHttpClient(denoDialer(), { pool });
 * const response = await targetFetch(new URL("http://127.0.0.1:9100/metrics"));
 * ```
 */
export function createRawHttpClient(dial: Dial, options: RawHttpClientOptions = {}): ClosableRawFetch {
  const pool = options.pool ?? new BufferPool();
  const idleMs = options.idleMs ?? IDLE_MS;
  /** Parked connections per origin, oldest first. */
  const idle = new Map<string, Parked[]>();
  // One sweeper for all parked connections rather than a timer each: a scrape parks three connections, so
  // a timer each meant three timers set and cleared per scrape.
  let sweeper: ReturnType<typeof setInterval> | null = null;

  /** Closes the connections of `list` parked before `oldest`; they are at its front. */
  const dropStale = (list: Parked[], oldest: number) => {
    let stale = 0;
    while (stale < list.length && list[stale]!.since <= oldest) safeClose(list[stale++]!.conn);
    list.splice(0, stale);
  };
  const sweep = () => {
    const oldest = performance.now() - idleMs;
    for (const [key, list] of idle) {
      dropStale(list, oldest);
      if (list.length === 0) idle.delete(key);
    }
    if (idle.size === 0 && sweeper !== null) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };
  const park = (key: string, conn: ByteConn) => {
    let list = idle.get(key);
    if (list === undefined) idle.set(key, list = []);
    list.push({ conn, since: performance.now() });
    if (sweeper === null) {
      sweeper = setInterval(sweep, idleMs / 3);
      // An idle connection must not keep the process alive.
      sweeper.unref();
    }
  };
  const takeIdle = (key: string): ByteConn | null => {
    const list = idle.get(key);
    if (list === undefined) return null;
    // The sweeper runs a third of the idle time late at most; never hand out what it should have closed.
    dropStale(list, performance.now() - idleMs);
    return list.pop()?.conn ?? null;
  };

  /** The signal of a request that was given none. */
  const unset = new AbortController().signal;
  const fetchRaw: RawFetch = async (input, init) => {
    const request = await outgoingRequest(input, init, unset);
    request.signal.throwIfAborted();
    const { url } = request;
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`unsupported URL scheme "${url.protocol}" in ${url.href}`);
    }
    // Through a proxy, the connection (and so the keep-alive list) is the proxy's.
    const via = request.proxy ?? url;
    const origin = via.origin;
    const reused = takeIdle(origin);
    if (reused !== null) {
      try {
        return await exchange(reused, request, pool, (conn) => park(origin, conn));
      } catch (error) {
        // A server may close an idle connection just as we reuse it; only a bodiless request can be replayed.
        if (request.body !== null || request.signal.aborted) throw error;
      }
    }
    const conn = await dialUntilAborted(dial, via, request.signal);
    return exchange(conn, request, pool, (c) => park(origin, c));
  };
  return Object.assign(fetchRaw, {
    close() {
      for (const list of idle.values()) for (const { conn } of list.splice(0)) safeClose(conn);
      idle.clear();
      if (sweeper !== null) clearInterval(sweeper);
      sweeper = null;
    },
  });
}

function safeClose(conn: ByteConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** One request and its response on `conn`; `reuse` gets the connection back when both ended cleanly. */
async function exchange(
  conn: ByteConn,
  request: OutgoingRequest,
  pool: BufferPool,
  reuse: (conn: ByteConn) => void,
): Promise<Response> {
  const { signal } = request;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    signal.removeEventListener("abort", close);
    safeClose(conn);
  };
  // Closing the socket is what ends a pending read or write: socket reads take no signal.
  signal.addEventListener("abort", close, { once: true });
  if (signal.aborted) {
    close(); // a dial may ignore the signal (connectTls does), so an abort can land while it connects
    throw signal.reason;
  }
  const failed = (error: unknown) => signal.aborted ? signal.reason : error;

  let sendError: unknown = null;
  let sent = false;
  const sending = sendRequest(conn, request, pool).then(
    () => void (sent = true),
    (error) => {
      sendError = error;
      close();
    },
  );
  let head;
  try {
    head = await readHead(conn, pool);
    while (head.status >= 100 && head.status < 200) head = await readHead(conn, pool, head);
  } catch (error) {
    close();
    await sending;
    throw failed(sendError ?? error);
  }
  const init = {
    status: head.status,
    statusText: head.statusText,
    headers: head.headers as [string, string][],
  };
  const noBody = request.method === "HEAD" || !statusAllowsBody(head.status);
  const reader = bodyReader(conn, pool, head, noBody);
  const keepAlive = head.proto === "HTTP/1.1" && !asksToClose(head.headers) &&
    !/\bclose\b/i.test(headerValue(request.headers, "connection") ?? "");
  // A server may answer before reading the whole request body: then the connection cannot be reused, and
  // closing it ends our stalled write instead of leaving it pending for ever.
  const finish = () => {
    if (!closed && sent && keepAlive && reader.clean) {
      signal.removeEventListener("abort", close);
      reuse(conn);
    } else {
      close();
    }
  };
  if (reader.arrivedWithHead) {
    // Nearly every poll, push answer and small scrape: a copy of the few bytes is far cheaper than a stream,
    // and the connection is free again at once.
    const bytes = reader.takeWhole();
    finish();
    return new Response(bytes, init);
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const piece = await reader.next();
        if (piece !== null) return controller.enqueue(piece);
        controller.close();
        finish();
      } catch (error) {
        close();
        controller.error(failed(error));
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
  return new Response(body, init);
}

function asksToClose(headers: readonly HeaderLine[]): boolean {
  return headers.some(([name, value]) => name.toLowerCase() === "connection" && /\bclose\b/i.test(value));
}

/**
 * Writes the request head and its body: whole bytes with the head in one write (a Content-Length added if
 * none was given), a stream raw under its Content-Length or else chunked. A stream goes through a
 * {@linkcode WriteBatch}, so its small pieces leave in few segments.
 */
async function sendRequest(conn: ByteConn, request: OutgoingRequest, pool: BufferPool): Promise<void> {
  const { url, body } = request;
  const declared = headerValue(request.headers, "content-length");
  const target = request.proxy === null ? `${url.pathname}${url.search}` : url.href;
  let head = `${request.method} ${target} HTTP/1.1\r\n`;
  if (headerValue(request.headers, "host") === null) head += `Host: ${url.host}\r\n`;
  for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
  if (body instanceof Uint8Array) {
    if (declared === null) head += `Content-Length: ${body.length}\r\n`;
    else if (body.length !== Number(declared)) {
      throw new RangeError(`request body has ${body.length} bytes, its Content-Length says ${declared}`);
    }
    const headBytes = latin1Encode(`${head}\r\n`);
    return writeAll(conn, body.length === 0 ? headBytes : concatBytes(headBytes, body));
  }
  const chunked = declared === null && body !== null;
  if (chunked) head += "Transfer-Encoding: chunked\r\n";
  else if (declared === null && !["GET", "HEAD"].includes(request.method)) head += "Content-Length: 0\r\n";
  const headBytes = latin1Encode(`${head}\r\n`);
  if (body === null) return writeAll(conn, headBytes);
  const out = new WriteBatch(conn);
  await out.write(headBytes);
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      size += value.length;
      if (chunked) await out.write(latin1Encode(`${value.length.toString(16)}\r\n`));
      await out.write(value);
      if (chunked) await out.write(CRLF);
      // Written, or copied into the batch: either way the buffer is free again.
      pool.recycle(value);
    }
    if (chunked) await out.write(LAST_CHUNK);
    else if (size !== Number(declared)) {
      throw new RangeError(`request body has ${size} bytes, its Content-Length says ${declared}`);
    }
    await out.flush();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

async function writeAll(conn: ByteConn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}
