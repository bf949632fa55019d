/**
 * Chunked transfer decoding for bytes that are pushed in as a socket delivers them (the Bun server's
 * `data` callback, or reads into a buffer the caller owns), rather than pulled from a stream like
 * `chunkedSource` in chunked.ts. It reports exactly where the body ended, because the bytes after it belong
 * to whatever follows on the connection. Used by both raw HTTP adapters (the Bun server's requests, the Deno
 * client's responses).
 */
import { WireError } from "./types.ts";

const CR = 0x0d;
const LF = 0x0a;
/** Longest chunk-size or trailer line (Go's limit for the size line too). */
const MAX_LINE = 4096;
/** 13 hex digits (2^52) stay exact in a JavaScript number. */
const MAX_HEX_DIGITS = 13;

/** What one call of {@linkcode ChunkedPushDecoder.push} found. */
export interface DecodedPiece {
  /** Decoded body bytes: views of the input, not copies. */
  readonly data: Uint8Array[];
  /** Input bytes used; the rest (when `done`) belongs to whatever follows the body. */
  readonly consumed: number;
  /** True once the last chunk and the trailer section have been read. */
  readonly done: boolean;
  /**
   * Why decoding stopped at `consumed`: "malformed" for a bad size line or missing CRLF, "too_large" for
   * overlong lines. `data` still holds what was decoded before, so a reader sees the body up to the break.
   */
  readonly error: WireError | null;
}

/**
 * Decodes one chunked body from pieces of any size. Extensions are ignored, trailers are checked (each a
 * header field) and dropped.
 *
 * @example
 * ```ts
 * const decoder = new ChunkedPushDecoder();
 * decoder.push(new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\nGET"));
 * // { data: [bytes of "abc"], consumed: 13, done: true, error: null }
 * ```
 */
export class ChunkedPushDecoder {
  /** "size-end": whitespace after the size, where only more whitespace or ";" may follow. */
  #state: "size" | "size-end" | "ext" | "data" | "data-end" | "trailer" | "done" = "size";
  /** The previous byte was a CR: only LF may follow. */
  #cr = false;
  #size = 0;
  #digits = 0;
  #remaining = 0;
  #line = 0;
  #content = 0;
  /** Bytes of the current trailer field's name, and whether its colon has come. */
  #nameBytes = 0;
  #inValue = false;
  #trailerBytes = 0;
  readonly #maxTrailerBytes: number;

  /** `maxTrailerBytes` bounds the trailer section (WireError "too_large" past it). */
  constructor(maxTrailerBytes = 16 * 1024) {
    this.#maxTrailerBytes = maxTrailerBytes;
  }

  /** True once the whole body was decoded. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Decodes as much of `bytes` as belongs to the body; once it reports an error, it must not be fed again. */
  push(bytes: Uint8Array): DecodedPiece {
    const data: Uint8Array[] = [];
    let at = 0;
    try {
      at = this.#decode(bytes, data);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      return { data, consumed: this.#at, done: false, error };
    }
    return { data, consumed: at, done: this.#state === "done", error: null };
  }

  /** Where #decode stands in its input, for a report of where it stopped. */
  #at = 0;

  #decode(bytes: Uint8Array, data: Uint8Array[]): number {
    let at = 0;
    while (at < bytes.length && this.#state !== "done") {
      if (this.#state === "data") {
        const n = Math.min(this.#remaining, bytes.length - at);
        data.push(bytes.subarray(at, at + n));
        at += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = "data-end";
        continue;
      }
      this.#at = at;
      const byte = bytes[at++]!;
      if (++this.#line > MAX_LINE) throw new WireError("too_large", `chunk line exceeds ${MAX_LINE} bytes`);
      if (this.#state === "trailer" && ++this.#trailerBytes > this.#maxTrailerBytes) {
        throw new WireError("too_large", `trailer section exceeds ${this.#maxTrailerBytes} bytes`);
      }
      // A bare CR is where parsers disagree ("1\r0" is 0x10 to one, 0x1 and a broken line to another), and a
      // disagreement about where a body ends is request smuggling: refuse it.
      const afterCr = this.#cr;
      if (afterCr && byte !== LF) throw this.#malformed("CR without LF");
      this.#cr = byte === CR;
      if (byte === CR) continue;
      if (byte === LF) {
        // A bare LF is the same kind of disagreement (Go takes it as a line end, others do not).
        if (!afterCr) throw this.#malformed("LF without CR");
        this.#endLine();
        continue;
      }
      this.#content++;
      this.#lineByte(byte);
    }
    return at;
  }

  /** One byte of a size, extension, data-end or trailer line other than CR and LF. */
  #lineByte(byte: number): void {
    const state = this.#state;
    if (state === "data-end") throw this.#malformed("chunk data longer than its size");
    const blank = byte === 0x20 || byte === 0x09;
    if (state === "size" || state === "size-end") {
      const digit = state === "size" ? hexValue(byte) : -1;
      if (byte === 0x3b && this.#digits > 0) this.#state = "ext";
      else if (blank && this.#digits > 0) this.#state = "size-end";
      else if (digit === -1) throw this.#malformed(`unexpected byte 0x${byte.toString(16)} in a size line`);
      else if (++this.#digits > MAX_HEX_DIGITS) throw this.#malformed("chunk size too large");
      else this.#size = this.#size * 16 + digit;
    } else if (state === "trailer" && !this.#inValue) {
      // A trailer line is a header field, held to the same rules as the streaming decoder's (chunked.ts):
      // a token, then a colon.
      if (byte === 0x3a && this.#nameBytes > 0) this.#inValue = true;
      else if (isTokenByte(byte)) this.#nameBytes++;
      else throw this.#malformed(`unexpected byte 0x${byte.toString(16)} in a trailer field name`);
    } else if ((byte < 0x20 && !blank) || byte === 0x7f) {
      // Extensions and trailer fields are dropped, but control bytes in them are a broken message, not data.
      throw this.#malformed(
        `control byte 0x${byte.toString(16)} in a ${state === "ext" ? "chunk extension" : "trailer"}`,
      );
    }
  }

  #endLine(): void {
    const wasEmpty = this.#content === 0;
    const field = this.#inValue;
    this.#line = this.#content = this.#nameBytes = 0;
    this.#inValue = false;
    if (this.#state === "data-end") {
      this.#state = "size";
    } else if (this.#state === "trailer") {
      if (wasEmpty) this.#state = "done";
      else if (!field) throw this.#malformed("a trailer line that is not a header field");
    } else {
      if (this.#digits === 0) throw this.#malformed("a chunk-size line without a size");
      // RFC 9112 allows spaces and tabs only before an extension's ";", not at the end of the line.
      if (this.#state === "size-end") throw this.#malformed("spaces after the chunk size");
      this.#remaining = this.#size;
      this.#state = this.#size === 0 ? "trailer" : "data";
      this.#size = this.#digits = 0;
    }
  }

  #malformed(what: string): WireError {
    return new WireError("malformed", `malformed chunked body: ${what}`);
  }
}

/** RFC 9110 tchar: what a field name is made of. */
function isTokenByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
    TOKEN_SYMBOLS.includes(byte);
}

const TOKEN_SYMBOLS: readonly number[] = [..."!#$%&'*+-.^_`|~"].map((char) => char.charCodeAt(0));

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
