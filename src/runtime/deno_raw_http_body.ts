/**
 * The pieces of the Deno raw HTTP client that touch bytes: a pool of read buffers that are recycled once
 * written, and a response reader over `conn.read()` that undoes Content-Length, chunked and until-EOF
 * framing in place. Why buffers are recycled instead of allocated per read: V8 frees an ArrayBuffer's memory
 * only when a GC collects its object, and external memory triggers a GC only after ~64 MB of growth, so a
 * 100 MiB body read into fresh buffers raises Deno's peak RSS by 50-70 MB; reused buffers keep it under 10.
 */
import { responseFraming } from "../wire/framing.ts";
import { parseHeaderLine } from "../wire/http_syntax.ts";
import { latin1Decode, quoteExcerpt } from "../wire/bytes_text.ts";
import { type HeaderLine, WireError } from "../wire/types.ts";

/** Size of each read buffer; also the largest response head we accept. */
export const BUFFER_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
/** Longest chunk-size or trailer line: far more than any real server sends. */
const MAX_LINE = 4096;

/**
 * Read buffers shared by every client that gets the same pool. A buffer leaves as exactly one view of a
 * response body ("lent"); when a request body writer has written that view to a socket it hands it back
 * with {@linkcode BufferPool.recycle}. Recycling detaches the old ArrayBuffer (moving its memory to a new
 * one), so a consumer that wrongly kept the view sees an empty array rather than someone else's bytes.
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const targets = createDenoRawHttp({}, { pool });
 * const proxy = createDenoRawHttp(tls, { pool }); // pushes the target's chunks, then recycles them
 * ```
 */
export class BufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #lent = new WeakSet<ArrayBufferLike>();
  readonly #maxFree: number;

  /** Keeps at most `maxFree` idle buffers (64 KiB each); more are left to the GC. */
  constructor(maxFree = 16) {
    this.#maxFree = maxFree;
  }

  /** A buffer of {@linkcode BUFFER_BYTES} bytes owned by the caller until lent or put back. */
  take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(BUFFER_BYTES);
  }

  /** Returns a buffer that was never lent. */
  put(buffer: Uint8Array): void {
    if (this.#free.length < this.#maxFree && buffer.byteOffset === 0) {
      this.#free.push(new Uint8Array(buffer.buffer, 0, BUFFER_BYTES));
    }
  }

  /** Marks `view` (the only view of its buffer that leaves) as handed to a consumer. */
  lend(view: Uint8Array): Uint8Array {
    this.#lent.add(view.buffer);
    return view;
  }

  /** Takes back a lent view once its bytes are written; anything else is ignored. */
  recycle(view: Uint8Array): void {
    const buffer = view.buffer as ArrayBuffer;
    if (!this.#lent.delete(buffer) || buffer.byteLength !== BUFFER_BYTES) return;
    // transfer() moves the memory without copying and detaches every old view.
    if (this.#free.length < this.#maxFree) this.#free.push(new Uint8Array(buffer.transfer()));
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
  conn: Deno.Conn,
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
    if (blank !== -1) {
      return { ...parseHead(latin1Decode(buffer.subarray(0, blank))), buffer, start: blank + 4, end };
    }
    searched = Math.max(0, end - 3);
    if (end === buffer.length) {
      throw new WireError("too_large", `response head exceeds ${BUFFER_BYTES} bytes`);
    }
    const n = await conn.read(buffer.subarray(end));
    if (n === null) {
      throw new WireError("truncated", `connection closed after ${end} bytes, before a whole response head`);
    }
    end += n;
  }
}

function findBlankLine(buffer: Uint8Array, from: number, end: number): number {
  for (
    let i = buffer.subarray(from, end).indexOf(CR);
    i !== -1;
    i = buffer.subarray(from, end).indexOf(CR, i + 1)
  ) {
    const at = from + i;
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
}

/**
 * The body of a response whose head is `head`, read from `conn` with the framing its headers announce
 * (`noBody` for HEAD requests). The first piece reuses the head's buffer.
 */
export function bodyReader(conn: Deno.Conn, pool: BufferPool, head: RawHead, noBody: boolean): BodyReader {
  const { framing, contentLength } = responseFraming(head.status, head.headers);
  let leftover: { buffer: Uint8Array; start: number; end: number } | null = head;
  let remaining = noBody || framing === "none" ? 0 : contentLength ?? Infinity;
  const chunked = !noBody && framing === "chunked" ? new ChunkedDecoder() : null;
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
    const buffer = pool.take();
    const n = await conn.read(buffer.subarray(0, Math.min(limit, buffer.length)));
    if (n === null) {
      pool.put(buffer);
      return null;
    }
    return { buffer, start: 0, end: n };
  };
  return {
    get clean() {
      return state.clean && state.done;
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
          const decoded = chunked.decode(piece.buffer, piece.start, piece.end);
          stop = decoded.write;
          if (decoded.read < piece.end) state.clean = false;
          state.done = chunked.finished;
        } else if (remaining !== Infinity) {
          stop = Math.min(piece.end, piece.start + remaining);
          if (stop < piece.end) state.clean = false;
          remaining -= stop - piece.start;
        }
        if (stop > piece.start) return pool.lend(piece.buffer.subarray(piece.start, stop));
        pool.put(piece.buffer);
      }
    },
  };
}

/**
 * Undoes chunked transfer coding inside the buffer it reads from: data bytes move left over the framing
 * bytes, so one read gives one contiguous piece and the buffer can be lent whole.
 */
class ChunkedDecoder {
  #state: "size" | "ext" | "data" | "data-end" | "trailer" | "done" = "size";
  #size = 0;
  #digits = 0;
  #remaining = 0;
  /** Bytes of the current size or trailer line, and how many of them are neither CR nor LF. */
  #line = 0;
  #content = 0;

  get finished(): boolean {
    return this.#state === "done";
  }

  /** Decodes `buffer[start, end)`; data ends at `write`, input was consumed up to `read`. */
  decode(buffer: Uint8Array, start: number, end: number): { write: number; read: number } {
    let write = start;
    let read = start;
    while (read < end && this.#state !== "done") {
      if (this.#state === "data") {
        const n = Math.min(this.#remaining, end - read);
        buffer.copyWithin(write, read, read + n);
        write += n;
        read += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = "data-end";
        continue;
      }
      const byte = buffer[read++]!;
      if (++this.#line > MAX_LINE) throw new WireError("too_large", `chunk line exceeds ${MAX_LINE} bytes`);
      if (byte === CR) continue;
      if (byte !== LF) this.#content++;
      if (byte === LF) {
        this.#endLine();
      } else if (this.#state === "size") {
        const digit = parseInt(String.fromCharCode(byte), 16);
        if (byte === 0x3b || byte === 0x20 || byte === 0x09) this.#state = "ext";
        else if (Number.isNaN(digit) || this.#digits++ > 12) {
          throw this.#malformed(`byte 0x${byte.toString(16)}`);
        } else this.#size = this.#size * 16 + digit;
      } else if (this.#state === "data-end") {
        throw this.#malformed("data longer than its chunk size");
      }
    }
    return { write, read };
  }

  #endLine(): void {
    const wasEmpty = this.#content === 0;
    this.#line = this.#content = 0;
    if (this.#state === "data-end") {
      this.#state = "size";
    } else if (this.#state === "trailer") {
      if (wasEmpty) this.#state = "done";
    } else {
      if (this.#digits === 0) throw this.#malformed("a chunk-size line without a size");
      this.#remaining = this.#size;
      this.#state = this.#size === 0 ? "trailer" : "data";
      this.#size = this.#digits = 0;
    }
  }

  #malformed(what: string): WireError {
    return new WireError("malformed", `malformed chunked response body: ${what}`);
  }
}
