/**
 * HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1): upstream's client pushes target bodies
 * chunked, and so does ours when the target gave no length.
 */

import { type BodySource } from "./body_source.ts";
import type { ByteReader } from "./byte_reader.ts";
import { latin1Decode, latin1Encode, quoteExcerpt } from "./bytes_text.ts";
import { parseHeaderLine } from "./http_syntax.ts";
import { WireError } from "./types.ts";

/** Longest chunk-size line accepted, extensions included (Go's limit too). */
const MAX_SIZE_LINE = 4096;
/** 13 hex digits (2^52) stay exact in a JavaScript number; nobody sends a chunk that large legitimately. */
const MAX_HEX_DIGITS = 13;

/**
 * Frames one piece of body as a chunk: size in hex, CRLF, data, CRLF. Empty input gives an empty result,
 * since a zero-size chunk would end the body.
 *
 * @example
 * ```ts
 * encodeChunk(new TextEncoder().encode("hello")); // bytes of "5\r\nhello\r\n"
 * ```
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const prefix = latin1Encode(`${data.length.toString(16)}\r\n`);
  // One buffer per chunk: a few bytes copied around the data, but one write downstream instead of three.
  const out = new Uint8Array(prefix.length + data.length + 2);
  out.set(prefix);
  out.set(data, prefix.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

/**
 * The last chunk and the empty trailer section that end every chunked body.
 *
 * @example
 * ```ts
 * lastChunk(); // bytes of "0\r\n\r\n"
 * ```
 */
export function lastChunk(): Uint8Array {
  return latin1Encode("0\r\n\r\n");
}

/**
 * Decodes a chunked body from `reader`, one chunk (or the part of it that has arrived) per call.
 * Chunk extensions are ignored; trailers are read, checked and dropped.
 *
 * @param maxTrailerBytes limit for the trailer section, WireError("too_large") past it.
 * @example
 * ```ts
 * const source = chunkedSource(new ByteReader(stream), 65536);
 * await source(); // first decoded piece, or null at the end
 * ```
 */
export function chunkedSource(reader: ByteReader, maxTrailerBytes: number): BodySource {
  let remaining = 0;
  let afterData = false;
  let finished = false;
  return async () => {
    if (finished) return null;
    if (remaining === 0) {
      if (afterData) await readDataEnd(reader);
      remaining = await readChunkSize(reader);
      if (remaining === 0) {
        await readTrailers(reader, maxTrailerBytes);
        finished = true;
        return null;
      }
    }
    const piece = await reader.readUpTo(remaining);
    if (piece === null) {
      throw new WireError("truncated", `body ended inside a chunk, ${remaining} bytes short`);
    }
    remaining -= piece.length;
    afterData = true;
    return piece;
  };
}

async function readChunkSize(reader: ByteReader): Promise<number> {
  const result = await reader.readLine(MAX_SIZE_LINE);
  if (result.kind === "eof") {
    throw new WireError(
      "truncated",
      `body ended before a chunk size line (got ${quoteExcerpt(result.partial)})`,
    );
  }
  if (result.kind === "too_long") {
    throw new WireError(
      "malformed",
      `chunk size line ${quoteExcerpt(result.partial)} is longer than ${MAX_SIZE_LINE} bytes`,
    );
  }
  const line = latin1Decode(result.line);
  if (!endsWithCrlf(result)) throw bareLf(line);
  const semicolon = line.indexOf(";");
  // Spaces and tabs may stand between the size and an extension (RFC 9112's BWS), nowhere else: not
  // before the size, not after it at the end of the line. ChunkedPushDecoder holds to the same rule.
  const size = semicolon === -1 ? BARE_SIZE.exec(line) : SIZE.exec(line.slice(0, semicolon));
  // Extensions are dropped, but a control byte in one (a bare CR above all) is a broken message.
  const badExtension = semicolon !== -1 && CONTROL.test(line.slice(semicolon + 1));
  if (size === null || badExtension) {
    throw new WireError("malformed", `malformed chunk size line ${quoteExcerpt(line)}`);
  }
  const hex = size[1]!;
  const digits = hex.replace(/^0+(?=.)/, "");
  if (digits.length > MAX_HEX_DIGITS) {
    throw new WireError("malformed", `chunk size ${quoteExcerpt(hex)} is too large`);
  }
  return parseInt(digits, 16);
}

const SIZE = /^([0-9a-fA-F]+)[ \t]*$/;
const BARE_SIZE = /^([0-9a-fA-F]+)$/;

/**
 * Chunk framing lines must end in CRLF. A bare LF is where parsers disagree (Go takes it, others refuse),
 * and each of our decoders must find the same end of a body as the other.
 */
function endsWithCrlf(result: { readonly line: Uint8Array; readonly size: number }): boolean {
  return result.size === result.line.length + 2;
}

function bareLf(line: string | Uint8Array): WireError {
  return new WireError("malformed", `chunked framing line ${quoteExcerpt(line)} does not end in CRLF`);
}
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

async function readDataEnd(reader: ByteReader): Promise<void> {
  const result = await reader.readLine(2);
  if (result.kind === "eof") throw new WireError("truncated", "body ended right after chunk data");
  if (result.kind === "too_long" || result.line.length > 0 || !endsWithCrlf(result)) {
    const seen = result.kind === "too_long" ? result.partial : result.line;
    throw new WireError("malformed", `chunk data not followed by CRLF (got ${quoteExcerpt(seen)})`);
  }
}

async function readTrailers(reader: ByteReader, maxBytes: number): Promise<void> {
  let budget = maxBytes;
  for (;;) {
    const result = await reader.readLine(budget);
    if (result.kind === "eof") throw new WireError("truncated", "body ended inside the trailer section");
    if (result.kind === "too_long") {
      throw new WireError("too_large", `trailer section exceeds ${maxBytes} bytes`);
    }
    if (!endsWithCrlf(result)) throw bareLf(result.line);
    if (result.line.length === 0) return;
    budget -= result.size;
    parseHeaderLine(latin1Decode(result.line));
  }
}
