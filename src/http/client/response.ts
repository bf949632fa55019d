/**
 * The pieces of the raw HTTP client that touch bytes: a pool of read buffers that are recycled once
 * written, and a response reader over `conn.read()` that undoes Content-Length, chunked and until-EOF
 * framing in place. Why buffers are recycled instead of allocated per read: V8 frees an ArrayBuffer's memory
 * only when a GC collects its object, and external memory triggers a GC only after ~64 MB of growth, so a
 * 100 MiB body read into fresh buffers raises Deno's peak RSS by 50-70 MB; reused buffers keep it under 10.
 * On Bun, passing the socket's own receive buffers on instead (no copy) for every body cut the client's CPU
 * per 5 MiB scrape by ~30%, but let a 100 MiB scrape raise its peak RSS by up to 40 MB (25-33 in most
 * runs): the pool keeps that bound, and only bodies declared at most {@linkcode OWNED_BODY_BYTES} go
 * without the copy.
 */
import type { ByteConn } from "./byte_conn.ts";
import { ChunkedPushDecoder } from "../../wire/chunked_push_decoder.ts";
import { responseFraming } from "../../wire/framing.ts";
import { parseHeaderLine } from "../../wire/http_syntax.ts";
import { latin1Decode, quoteExcerpt } from "../../wire/bytes_text.ts";
import { type HeaderLine, WireError } from "../../wire/types.ts";

/** Size of the read buffers for heads and ordinary bodies. */
export const BUFFER_BYTES = 64 * 1024;
/**
 * Size of the read buffers for the rest of a body once it is known to be large ({@linkcode LARGE_BODY_BYTES}
 * or more). Bun hands socket data on in pieces of up to 512 KiB; in 64 KiB buffers a 5 MiB scrape became
 * 80+ pieces, each a trip through the streams to the proxy. 256 KiB buffers cut the client's CPU per 5 MiB
 * scrape by 0.3-1.0 ms in five of five alternating pairs, but used for every read they cost 50 clients
 * 10-25% of their 100 KiB throughput, so only large bodies get them.
 */
export const LARGE_BUFFER_BYTES = 256 * 1024;
/** A body at least this long (declared, or read so far) is read into large buffers. */
export const LARGE_BODY_BYTES = 1024 * 1024;
/**
 * A body declared between {@linkcode LARGE_BODY_BYTES} and this size is read without a copy where the
 * connection allows it (Bun's sockets): the received pieces themselves are handed on, and what they leave
 * to the GC is bounded by the declared size. Larger bodies, and bodies of unknown length, go through the
 * pool, which keeps a 100 MiB scrape's peak bounded (see above). Client CPU per 5 MiB scrape with the
 * 256 KiB pool buffers against without the copy: 4.6-5.7 against 3.3-5.0 ms, lower in 8 of 9 alternating
 * pairs.
 */
export const OWNED_BODY_BYTES = 8 * 1024 * 1024;
/** The largest response head we accept. */
export const MAX_HEAD_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Read buffers shared by every client that gets the same pool. A buffer leaves as exactly one view of a
 * response body ("lent"); when a request body writer has written that view to a socket it hands it back
 * with {@linkcode BufferPool.recycle}. Recycling detaches the old ArrayBuffer (moving its memory to a new
 * one), so a consumer that wrongly kept the view sees an empty array rather than someone else's bytes.
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const targets = createRawHttpClient(dial, { pool });
 * const proxy = createRawHttpClient(dialWithTls, { pool }); // pushes the target's chunks, then recycles them
 * ```
 */
export class BufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #freeLarge: Uint8Array[] = [];
  readonly #lent = new WeakSet<ArrayBufferLike>();
  readonly #maxFree: number;

  /**
   * Keeps at most `maxFree` idle buffers of {@linkcode BUFFER_BYTES}, and a quarter as many of
   * {@linkcode LARGE_BUFFER_BYTES}; more are left to the GC.
   */
  constructor(maxFree = 16) {
    this.#maxFree = maxFree;
  }

  /** A buffer of {@linkcode BUFFER_BYTES} (or, if `large`, {@linkcode LARGE_BUFFER_BYTES}) bytes. */
  take(large = false): Uint8Array {
    if (large) return this.#freeLarge.pop() ?? new Uint8Array(LARGE_BUFFER_BYTES);
    return this.#free.pop() ?? new Uint8Array(BUFFER_BYTES);
  }

  /** Returns a buffer that was never lent. */
  put(buffer: Uint8Array): void {
    if (buffer.byteOffset === 0) this.#keep(buffer.buffer as ArrayBuffer);
  }

  /** Marks `view` (the only view of its buffer that leaves) as handed to a consumer. */
  lend(view: Uint8Array): Uint8Array {
    this.#lent.add(view.buffer);
    return view;
  }

  /** Takes back a lent view once its bytes are written; anything else is ignored. */
  recycle(view: Uint8Array): void {
    const buffer = view.buffer as ArrayBuffer;
    // transfer() moves the memory without copying and detaches every old view.
    if (this.#lent.delete(buffer)) this.#keep(buffer, true);
  }

  #keep(buffer: ArrayBuffer, detach = false): void {
    const [list, max] = buffer.byteLength === BUFFER_BYTES
      ? [this.#free, this.#maxFree]
      : buffer.byteLength === LARGE_BUFFER_BYTES
      ? [this.#freeLarge, Math.ceil(this.#maxFree / 4)]
      : [null, 0];
    if (list !== null && list.length < max) list.push(new Uint8Array(detach ? buffer.transfer() : buffer));
  }
}

/** A parsed response head and the body bytes that arrived with it, in `buffer[start, end)`. */
export interface RawHead {
  readonly proto: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly HeaderLine[];
  readonly buffer: Uint8Array;
  readonly start: number;
  readonly end: number;
}

const STATUS_LINE = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/;

/**
 * Reads one response head from `conn` into a pool buffer; bytes before `carried.end` in `carried` (left
 * over from a skipped 1xx head) are read first. Rejects with WireError on a malformed or oversized head.
 */
export async function readHead(
  conn: ByteConn,
  pool: BufferPool,
  carried?: { buffer: Uint8Array; start: number; end: number },
): Promise<RawHead> {
  const buffer = pool.take();
  let end = 0;
  if (carried !== undefined) {
    buffer.set(carried.buffer.subarray(carried.start, carried.end));
    end = carried.end - carried.start;
  }
  let searched = 0;
  for (;;) {
    const blank = findBlankLine(buffer, searched, end);
    if (blank !== -1 && blank + 4 <= MAX_HEAD_BYTES) {
      return { ...parseHead(latin1Decode(buffer.subarray(0, blank))), buffer, start: blank + 4, end };
    }
    if (blank !== -1 || end >= MAX_HEAD_BYTES) {
      pool.put(buffer);
      throw new WireError("too_large", `response head exceeds ${MAX_HEAD_BYTES} bytes`);
    }
    searched = Math.max(0, end - 3);
    const n = await conn.read(buffer.subarray(end));
    if (n === null) {
      throw new WireError("truncated", `connection closed after ${end} bytes, before a whole response head`);
    }
    end += n;
  }
}

function findBlankLine(buffer: Uint8Array, from: number, end: number): number {
  // One view bounds the search (the pool buffer holds stale bytes past `end`); a view per CR found was
  // five or six throwaway objects per response head.
  const filled = buffer.subarray(0, end);
  for (let at = filled.indexOf(CR, from); at !== -1; at = filled.indexOf(CR, at + 1)) {
    if (at + 3 < end && buffer[at + 1] === LF && buffer[at + 2] === CR && buffer[at + 3] === LF) return at;
  }
  return -1;
}

function parseHead(text: string): Omit<RawHead, "buffer" | "start" | "end"> {
  const [statusLine = "", ...lines] = text.split("\r\n");
  const match = STATUS_LINE.exec(statusLine);
  if (match === null) throw new WireError("malformed", `malformed status line ${quoteExcerpt(statusLine)}`);
  return {
    proto: match[1]!,
    status: Number(match[2]),
    statusText: match[3] ?? "",
    headers: lines.map(parseHeaderLine),
  };
}

/** Pulls decoded body pieces; each is a lent pool view. `clean` tells whether the connection may be reused. */
export interface BodyReader {
  next(): Promise<Uint8Array | null>;
  readonly clean: boolean;
  /** True when the whole body (possibly empty) came with the head, so `takeWhole()` may be used. */
  readonly arrivedWithHead: boolean;
  /**
   * The body, copied out, when it `arrivedWithHead` (null when empty); the read buffer goes straight back to
   * the pool. Cheaper than `next()` and a stream for the small messages that are most of the traffic.
   */
  takeWhole(): Uint8Array<ArrayBuffer> | null;
}

/**
 * The body of a response whose head is `head`, read from `conn` with the framing its headers announce
 * (`noBody` for HEAD requests). The first piece reuses the head's buffer.
 */
export function bodyReader(conn: ByteConn, pool: BufferPool, head: RawHead, noBody: boolean): BodyReader {
  const { framing, contentLength } = responseFraming(head.status, head.headers);
  let leftover: { buffer: Uint8Array; start: number; end: number } | null = head;
  let remaining = noBody || framing === "none" ? 0 : contentLength ?? Infinity;
  /** Body bytes handed out so far: a body of unknown length moves to large buffers once it is that long. */
  let received = 0;
  const chunked = !noBody && framing === "chunked" ? new ChunkedPushDecoder() : null;
  const owned = conn.readOwned !== undefined && !noBody && contentLength !== null &&
    contentLength >= LARGE_BODY_BYTES && contentLength <= OWNED_BODY_BYTES;
  const state = { clean: framing !== "until-eof" || noBody, done: false };
  /** A buffer with unread bytes, either what came with the head or a fresh read. */
  const fill = async (limit: number) => {
    if (leftover !== null && leftover.end > leftover.start) {
      const piece = leftover;
      leftover = null;
      return piece;
    }
    if (leftover !== null) pool.put(leftover.buffer);
    leftover = null;
    if (owned) {
      const piece = await conn.readOwned!(limit);
      return piece === null ? null : { buffer: piece, start: 0, end: piece.length, foreign: true };
    }
    const buffer = pool.take((contentLength ?? 0) >= LARGE_BODY_BYTES || received >= LARGE_BODY_BYTES);
    const n = await conn.read(buffer.subarray(0, Math.min(limit, buffer.length)));
    if (n === null) {
      pool.put(buffer);
      return null;
    }
    return { buffer, start: 0, end: n };
  };
  const arrivedWithHead = chunked === null && remaining <= head.end - head.start;
  return {
    get clean() {
      return state.clean && state.done;
    },
    arrivedWithHead,
    takeWhole() {
      if (!arrivedWithHead || state.done || leftover !== head) {
        throw new Error("takeWhole() needs a body that arrived whole with its head, not yet read");
      }
      const stop = head.start + remaining;
      const bytes = stop > head.start ? new Uint8Array(head.buffer.subarray(head.start, stop)) : null;
      if (head.end > stop) state.clean = false; // bytes nobody asked for
      leftover = null;
      state.done = true;
      pool.put(head.buffer);
      return bytes;
    },
    async next() {
      for (;;) {
        if (state.done || (chunked === null && remaining === 0)) {
          state.done = true;
          if (leftover !== null) {
            if (leftover.end > leftover.start) state.clean = false; // bytes nobody asked for
            pool.put(leftover.buffer);
            leftover = null;
          }
          return null;
        }
        const piece = await fill(chunked === null ? remaining : Infinity);
        if (piece === null) {
          if (remaining === Infinity && chunked === null) {
            state.done = true;
            return null;
          }
          throw new WireError("truncated", `connection closed before the response body ended (${framing})`);
        }
        let stop = piece.end;
        if (chunked !== null) {
          const decoded = chunked.push(piece.buffer.subarray(piece.start, piece.end));
          if (decoded.error !== null) throw decoded.error;
          stop = compact(piece.buffer, piece.start, decoded.data);
          if (piece.start + decoded.consumed < piece.end) state.clean = false;
          state.done = decoded.done;
        } else if (remaining !== Infinity) {
          stop = Math.min(piece.end, piece.start + remaining);
          if (stop < piece.end) state.clean = false;
          remaining -= stop - piece.start;
        }
        if (stop > piece.start) {
          received += stop - piece.start;
          const view = piece.buffer.subarray(piece.start, stop);
          // Only the pool's own buffers go back to it: the connection's pieces are left to the GC.
          return "foreign" in piece ? view : pool.lend(view);
        }
        if (!("foreign" in piece)) pool.put(piece.buffer);
      }
    },
  };
}

/**
 * Moves decoded chunk data (views of `buffer`, in order, each at or after `start`) left over the framing
 * bytes between them, so one read gives one contiguous piece and the buffer can be lent whole. Returns
 * where the data now ends.
 */
function compact(buffer: Uint8Array, start: number, data: readonly Uint8Array[]): number {
  let write = start;
  for (const view of data) {
    const from = view.byteOffset - buffer.byteOffset;
    buffer.copyWithin(write, from, from + view.byteLength);
    write += view.byteLength;
  }
  return write;
}
