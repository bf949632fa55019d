/**
 * A buffered reader over a byte stream: lines for heads, bounded reads for bodies. It exists because HTTP
 * parsing needs "up to the next LF" and "exactly N more bytes" over pieces that arrive in arbitrary sizes,
 * and must stay linear however small those pieces are.
 */

/** Outcome of {@linkcode ByteReader.readLine}. */
export type LineResult =
  /** `line` excludes its LF and a CR right before it; `size` counts every byte consumed. */
  | { readonly kind: "line"; readonly line: Uint8Array; readonly size: number }
  /** The stream ended first; `partial` holds what had arrived of the line (possibly nothing). */
  | { readonly kind: "eof"; readonly partial: Uint8Array }
  /** No LF within the limit; nothing was consumed and `partial` starts the overlong line. */
  | { readonly kind: "too_long"; readonly partial: Uint8Array };

const LF = 0x0a;
const CR = 0x0d;
const MIN_CAPACITY = 4096;
/** Pieces up to this size are copied into our buffer when it is empty; larger ones are kept as they came. */
const SMALL_PIECE = 1024;

/**
 * Reads a `ReadableStream<Uint8Array>` by lines and by byte counts. Pieces the stream yields are kept
 * as they are when possible (no copy); bytes are copied only to join a line split across pieces.
 *
 * @example
 * ```ts
 * const reader = new ByteReader(new Blob(["HTTP/1.1 200 OK\r\n\r\nhi"]).stream());
 * await reader.readLine(100); // { kind: "line", line: bytes of "HTTP/1.1 200 OK", size: 17 }
 * ```
 */
export class ByteReader {
  readonly #source: ReadableStreamDefaultReader<Uint8Array>;
  /** Buffered bytes live in #buf[#start, #end). */
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Where the search for LF resumes, so a line arriving byte by byte is scanned once, not quadratically. */
  #scan = 0;
  /** False while #buf is a piece the stream gave us: views of it were handed out, so never write into it. */
  #owned = false;
  #done = false;

  readonly #mapError: (error: unknown) => unknown;

  /**
   * Takes the stream's reader; the stream is locked from then on. `mapError` turns a failure of the
   * stream itself into the error callers should see (by default, the stream's own error).
   */
  constructor(source: ReadableStream<Uint8Array>, mapError: (error: unknown) => unknown = (error) => error) {
    this.#source = source.getReader();
    this.#mapError = mapError;
  }

  /** Number of bytes read from the stream but not yet consumed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Reads through the next LF, at most `maxBytes` bytes including the line ending.
   * Rejects only when the stream itself errors (see `mapError`).
   */
  async readLine(maxBytes: number): Promise<LineResult> {
    for (;;) {
      const found = this.#buf.subarray(this.#scan, this.#end).indexOf(LF);
      if (found !== -1) {
        const lf = this.#scan + found;
        const size = lf + 1 - this.#start;
        if (size > maxBytes) return { kind: "too_long", partial: this.#peek(maxBytes) };
        const stop = lf > this.#start && this.#buf[lf - 1] === CR ? lf - 1 : lf;
        const line = this.#buf.slice(this.#start, stop);
        this.#start = this.#scan = lf + 1;
        return { kind: "line", line, size };
      }
      this.#scan = this.#end;
      if (this.#end - this.#start >= maxBytes) return { kind: "too_long", partial: this.#peek(maxBytes) };
      if (!(await this.#fill())) {
        const partial = this.#buf.slice(this.#start, this.#end);
        this.#start = this.#scan = this.#end;
        return { kind: "eof", partial };
      }
    }
  }

  /**
   * Reads between 1 and `maxBytes` bytes: whatever is buffered, else the next piece of the stream.
   * Resolves to null at the end of the stream. The result must not be modified by the caller.
   */
  async readUpTo(maxBytes: number): Promise<Uint8Array | null> {
    if (maxBytes < 1) throw new RangeError(`Cannot read ${maxBytes} bytes: must be at least 1`);
    if (this.#start === this.#end) {
      const piece = await this.#next();
      if (piece === null) return null;
      if (piece.length <= maxBytes) return piece;
      this.#adopt(piece, maxBytes);
      return piece.subarray(0, maxBytes);
    }
    const stop = Math.min(this.#end, this.#start + maxBytes);
    // A view is safe only while nobody writes into the buffer again; our own buffer gets reused.
    const out = this.#owned ? this.#buf.slice(this.#start, stop) : this.#buf.subarray(this.#start, stop);
    this.#start = stop;
    if (this.#scan < stop) this.#scan = stop;
    return out;
  }

  /** Stops reading and cancels the stream (its producer learns nobody listens any more). Never rejects. */
  async cancel(reason?: unknown): Promise<void> {
    this.#start = this.#scan = this.#end;
    try {
      await this.#source.cancel(reason);
    } catch {
      // The stream already failed; there is nothing left to release.
    }
  }

  #peek(count: number): Uint8Array {
    return this.#buf.slice(this.#start, Math.min(this.#end, this.#start + count));
  }

  /** The next non-empty piece from the stream, or null at its end. */
  async #next(): Promise<Uint8Array | null> {
    while (!this.#done) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await this.#source.read();
      } catch (error) {
        throw this.#mapError(error);
      }
      const { done, value } = result;
      if (done) this.#done = true;
      else if (value.length > 0) return value;
    }
    return null;
  }

  /** Makes `piece` (from `offset` on) the buffer, without copying it. */
  #adopt(piece: Uint8Array, offset: number): void {
    this.#buf = piece;
    this.#start = this.#scan = offset;
    this.#end = piece.length;
    this.#owned = false;
  }

  /** Appends the next piece of the stream to the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    const piece = await this.#next();
    if (piece === null) return false;
    const live = this.#end - this.#start;
    if (live === 0) {
      if (this.#owned && piece.length <= Math.min(SMALL_PIECE, this.#buf.length)) {
        // Small pieces (a head arriving byte by byte) reuse our buffer instead of costing a new one per line.
        this.#buf.set(piece);
        this.#start = this.#scan = 0;
        this.#end = piece.length;
      } else {
        this.#adopt(piece, 0);
      }
      return true;
    }
    const need = live + piece.length;
    if (this.#owned && this.#end + piece.length <= this.#buf.length) {
      // Room at the tail.
    } else if (this.#owned && need <= this.#buf.length / 2) {
      // Compacting in place moves at most half the capacity and frees at least as much: amortized linear.
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#shift();
    } else {
      const bigger = new Uint8Array(Math.max(MIN_CAPACITY, need * 2));
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
      this.#owned = true;
      this.#shift();
    }
    this.#buf.set(piece, this.#end);
    this.#end += piece.length;
    return true;
  }

  /** Rebases the offsets after the live bytes moved to index 0. */
  #shift(): void {
    this.#scan -= this.#start;
    this.#end -= this.#start;
    this.#start = 0;
  }
}
