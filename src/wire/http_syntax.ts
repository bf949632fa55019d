/**
 * The few grammar rules of HTTP/1.1 (RFC 9110, RFC 9112) that both directions of the wire format check.
 */

import { quoteExcerpt } from "./bytes_text.ts";
import { type HeaderLine, WireError } from "./types.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * True when `text` is an RFC 9110 token: what header names and methods must be.
 *
 * @example
 * ```ts
 * isToken("X-Prometheus-Scrape-Timeout-Seconds"); // true
 * isToken("Bad Name"); // false
 * ```
 */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

// Field values: visible bytes, obs-text (0x80-0xFF), spaces and tabs. Everything else (NUL, CR, LF, other
// controls, DEL) is refused, because a Web `Headers` would throw on it later or a downstream hop could be
// confused into seeing a second header.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * True when `text` may stand as a header value (or reason phrase) on the wire.
 *
 * @example
 * ```ts
 * isFieldValue("text/plain; charset=utf-8"); // true
 * isFieldValue("a\u0000b"); // false
 * ```
 */
export function isFieldValue(text: string): boolean {
  return FIELD_VALUE.test(text);
}

/**
 * Go's canonical MIME header key, which upstream writes and which Go servers show: the first letter and
 * every letter after "-" upper case, the rest lower case. Like Go, a name that is not a valid token is
 * returned unchanged.
 *
 * @example
 * ```ts
 * canonicalHeaderKey("x-prometheus-scrape-timeout-seconds"); // "X-Prometheus-Scrape-Timeout-Seconds"
 * canonicalHeaderKey("id"); // "Id"
 * ```
 */
export function canonicalHeaderKey(name: string): string {
  const known = WELL_KNOWN_KEYS.get(name);
  if (known !== undefined) return known;
  if (!TOKEN.test(name)) return name;
  // Native string calls rather than a loop over characters: this runs for every pushed header, mostly in
  // a client that is too idle for the JIT to have compiled it.
  return name.toLowerCase().replace(WORD_START, (letter) => letter.toUpperCase());
}

/** A letter that starts the name or follows a hyphen. */
const WORD_START = /(?<=^|-)[a-z]/g;

/**
 * The names nearly every scrape carries, in canonical case. Every push and relayed scrape renames a
 * handful of these, and a table lookup is about twenty times cheaper than the rule above.
 */
export const WELL_KNOWN_HEADER_KEYS: readonly string[] = [
  "Accept",
  "Accept-Encoding",
  "Content-Encoding",
  "Content-Length",
  "Content-Type",
  "Date",
  "Id",
  "User-Agent",
  "Vary",
  "X-Prometheus-Scrape-Timeout",
  "X-Prometheus-Scrape-Timeout-Seconds",
];

/** Each well-known name in lower case (as `Headers` gives it) and as it is, mapped to its canonical key. */
const WELL_KNOWN_KEYS: ReadonlyMap<string, string> = new Map(
  WELL_KNOWN_HEADER_KEYS.flatMap((key) => [[key, key], [key.toLowerCase(), key]]),
);

/**
 * Parses one header line (without its line ending) as read from the wire: `Name: value`, optional spaces
 * and tabs around the value. The name keeps its original case.
 *
 * @example
 * ```ts
 * parseHeaderLine("Content-Type:  text/plain "); // ["Content-Type", "text/plain"]
 * ```
 * @throws {WireError} "malformed" for a missing colon, a name that is not a token (this also refuses
 * obsolete line folding and spaces before the colon), or control characters in the value.
 */
export function parseHeaderLine(line: string): HeaderLine {
  const colon = line.indexOf(":");
  if (colon === -1) throw new WireError("malformed", `malformed header line ${quoteExcerpt(line)}: no colon`);
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) {
    throw new WireError("malformed", `malformed header line ${quoteExcerpt(line)}: invalid field name`);
  }
  const value = trimOws(line.slice(colon + 1));
  if (!FIELD_VALUE.test(value)) {
    throw new WireError(
      "malformed",
      `malformed header line ${quoteExcerpt(line)}: invalid character in value`,
    );
  }
  return [name, value];
}

/**
 * Strips optional whitespace (spaces and tabs) from both ends. A hand loop rather than a regular
 * expression: `/[ \t]+$/` backtracks quadratically on long runs of spaces inside attacker-sent values.
 *
 * @example
 * ```ts
 * trimOws(" \tgzip  "); // "gzip"
 * ```
 */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === " " || text[start] === "\t")) start++;
  while (end > start && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  return text.slice(start, end);
}
