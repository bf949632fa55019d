/**
 * Moving headers between Web `Headers` and wire lines, and writing them the way Go does.
 */

import { quoteExcerpt } from "./bytes_text.ts";
import { canonicalHeaderKey, isToken, trimOws } from "./http_syntax.ts";
import type { HeaderLine } from "./types.ts";

/**
 * Build Web Headers from wire lines, skipping names in `omit` (case-insensitive). Repeats are appended.
 *
 * @example
 * ```ts
 * headersFromLines([["Id", "1"], ["Content-Type", "text/plain"]], ["id"]).get("content-type"); // "text/plain"
 * ```
 * @throws {TypeError} (from `Headers`) for a name or value no HTTP message could carry; lines from the
 * parsers of this module never do that.
 */
export function headersFromLines(lines: readonly HeaderLine[], omit: Iterable<string> = []): Headers {
  const skip = new Set([...omit].map((name) => name.toLowerCase()));
  // One constructor call rather than an append per line: on Bun that is several times cheaper.
  return new Headers(lines.filter(([name]) => !skip.has(name.toLowerCase())) as [string, string][]);
}

/**
 * The lines of either kind of header input. `Headers` has already joined repeats with ", " (except
 * Set-Cookie) and lower-cased names; names come back in canonical case.
 *
 * @example
 * ```ts
 * toHeaderLines(new Headers({ "x-a": "1" })); // [["X-A", "1"]]
 * ```
 */
export function toHeaderLines(input: Headers | readonly HeaderLine[]): HeaderLine[] {
  if (!(input instanceof Headers)) return [...input];
  const lines: HeaderLine[] = [];
  for (const [name, value] of input) lines.push([canonicalHeaderKey(name), value]);
  return lines;
}

/**
 * Sorts lines by canonical key the way Go's `Header.Write` orders them (byte order of the key), keeping
 * the order of values within one key, and renames each to its canonical key.
 *
 * @example
 * ```ts
 * sortByCanonicalKey([["x-b", "1"], ["Accept", "*\/*"]]); // [["Accept", "*\/*"], ["X-B", "1"]]
 * ```
 */
export function sortByCanonicalKey(lines: readonly HeaderLine[]): HeaderLine[] {
  const keyed: HeaderLine[] = lines.map(([name, value]) => [canonicalHeaderKey(name), value]);
  // Array.prototype.sort is stable, so values of one key keep their order.
  return keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Encodes header lines as `Name: value\r\n` each. Like Go, CR and LF inside a value become spaces (a
 * value can never start a second header) and surrounding spaces and tabs are dropped.
 *
 * @example
 * ```ts
 * encodeHeaderLines([["Id", "1"]]); // "Id: 1\r\n"
 * ```
 * @throws {TypeError} for a name that is not a token, or a value with NUL or characters above 0xFF.
 */
export function encodeHeaderLines(lines: readonly HeaderLine[]): string {
  let out = "";
  for (const [name, raw] of lines) {
    if (!isToken(name)) throw new TypeError(`Cannot write header ${quoteExcerpt(name)}: invalid name`);
    const value = trimOws(raw.replace(/[\r\n]/g, " "));
    if (/[\0\u0100-\uffff]/.test(value)) {
      throw new TypeError(
        `Cannot write header ${name}: value ${quoteExcerpt(value)} holds NUL or a non-byte character`,
      );
    }
    out += `${name}: ${value}\r\n`;
  }
  return out;
}
