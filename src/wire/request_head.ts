/**
 * Parsing an HTTP/1.1 request head held in memory: a poll response body is small and arrives whole, so
 * this side needs no streaming.
 */

import { latin1Decode, quoteExcerpt } from "./bytes_text.ts";
import { isToken, parseHeaderLine } from "./http_syntax.ts";
import { type HeaderLine, WireError } from "./types.ts";

/** Default for `WireLimits.maxHeaderBytes`: 64 KiB of start line plus headers. */
export const DEFAULT_MAX_HEADER_BYTES = 65536;

/**
 * Most header fields one head may carry, request or pushed response. Scrapes carry about ten; the cap is
 * there because building a Web `Headers` costs time quadratic in the number of distinct names (measured on
 * Bun and Deno: 6,000 names in a 53 KB head cost ~100 ms of CPU), so one small request could stall the proxy.
 */
export const MAX_HEADER_FIELDS = 200;

/** A request line and headers, not interpreted beyond syntax. */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent: absolute-form, origin-form, or anything else without spaces. */
  readonly target: string;
  /** e.g. "HTTP/1.1". */
  readonly version: string;
  readonly headers: readonly HeaderLine[];
  /** Offset of the first byte after the head (where a body would start). */
  readonly bodyOffset: number;
}

/**
 * Parses the request line and headers at the start of `bytes`. Line ends may be CRLF or bare LF.
 *
 * @example
 * ```ts
 * parseRequestHead(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: a:1\r\n\r\n"));
 * // { method: "GET", target: "/metrics", version: "HTTP/1.1", headers: [["Host", "a:1"]], bodyOffset: 36 }
 * ```
 * @throws {WireError} "truncated" when the bytes end inside the head, "too_large" past `maxHeaderBytes`
 * or past {@linkcode MAX_HEADER_FIELDS} header fields, "malformed" for a bad request line or header line.
 */
export function parseRequestHead(bytes: Uint8Array, maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES): RequestHead {
  const lines = splitHead(bytes, maxHeaderBytes);
  const requestLine = lines.lines[0] ?? "";
  const match = /^([^ ]+) ([^ ]+) (HTTP\/\d\.\d)$/.exec(requestLine);
  if (match === null || !isToken(match[1]!) || !/^[!-~\x80-\xff]+$/.test(match[2]!)) {
    throw new WireError("malformed", `malformed request line ${quoteExcerpt(requestLine)}`);
  }
  const headers = lines.lines.slice(1).map(parseHeaderLine);
  return { method: match[1]!, target: match[2]!, version: match[3]!, headers, bodyOffset: lines.end };
}

/** Cuts `bytes` into head lines up to the blank line; `end` is the offset just after it. */
function splitHead(bytes: Uint8Array, maxBytes: number): { lines: string[]; end: number } {
  // Where each line starts and ends, in pairs: the head is decoded once at the end, and since one byte is
  // one character the same offsets cut the text.
  const bounds: number[] = [];
  let pos = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, pos);
    const stop = lf === -1 ? bytes.length : lf + 1;
    if (stop > maxBytes) throw new WireError("too_large", `request head exceeds ${maxBytes} bytes`);
    if (lf === -1) {
      throw new WireError(
        "truncated",
        `request ended inside its head (last line ${quoteExcerpt(bytes.subarray(pos))})`,
      );
    }
    const end = lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    if (end === pos) {
      if (bounds.length === 0) throw new WireError("malformed", "malformed request: empty request line");
      const text = latin1Decode(bytes.subarray(0, pos));
      const lines: string[] = [];
      for (let i = 0; i < bounds.length; i += 2) lines.push(text.slice(bounds[i], bounds[i + 1]));
      return { lines, end: stop };
    }
    // The request line plus the fields: one pair of bounds each.
    if (bounds.length > 2 * MAX_HEADER_FIELDS) {
      throw new WireError("too_large", `request head has more than ${MAX_HEADER_FIELDS} header fields`);
    }
    bounds.push(pos, end);
    pos = stop;
  }
}
