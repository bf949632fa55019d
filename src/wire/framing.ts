/**
 * How a response body is delimited (RFC 9112 section 6.3), decided from its status and headers. Kept
 * strict where lenience lets two parsers disagree about where a body ends (request smuggling): conflicting
 * lengths, Content-Length together with Transfer-Encoding, codings we cannot undo.
 */

import { quoteExcerpt } from "./bytes_text.ts";
import { trimOws } from "./http_syntax.ts";
import { type BodyFraming, type HeaderLine, WireError } from "./types.ts";

/** A body framing and, for "content-length", the declared length. */
export interface Framing {
  readonly framing: BodyFraming;
  readonly contentLength: number | null;
}

/**
 * True when a response with this status may carry a body: never for 1xx, 204 and 304.
 *
 * @example
 * ```ts
 * statusAllowsBody(204); // false
 * ```
 */
export function statusAllowsBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/**
 * Decides the framing of a response body.
 *
 * @example
 * ```ts
 * responseFraming(200, [["Transfer-Encoding", "chunked"]]); // { framing: "chunked", contentLength: null }
 * responseFraming(500, []); // { framing: "until-eof", contentLength: null }
 * ```
 * @throws {WireError} "malformed" for a transfer coding other than chunked, Content-Length together with
 * Transfer-Encoding, a non-numeric Content-Length, or several different ones.
 */
export function responseFraming(status: number, headers: readonly HeaderLine[]): Framing {
  const codings: string[] = [];
  const lengths: string[] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding") codings.push(value);
    else if (lower === "content-length") lengths.push(value);
  }
  if (!statusAllowsBody(status)) return { framing: "none", contentLength: null };
  if (codings.length > 0) {
    if (lengths.length > 0) {
      throw new WireError(
        "malformed",
        "malformed head: both Content-Length and Transfer-Encoding are present",
      );
    }
    const coding = codings.join(",");
    if (trimOws(coding).toLowerCase() !== "chunked") {
      throw new WireError(
        "malformed",
        `unsupported Transfer-Encoding ${quoteExcerpt(coding)}: only chunked is accepted`,
      );
    }
    return { framing: "chunked", contentLength: null };
  }
  const length = declaredLength(lengths);
  return length === null
    ? { framing: "until-eof", contentLength: null }
    : { framing: "content-length", contentLength: length };
}

/**
 * The single length that the Content-Length header lines declare (repeats of one value are allowed, also
 * as a comma list), or null when there are none.
 *
 * @example
 * ```ts
 * declaredLength(["42", "42, 42"]); // 42
 * ```
 * @throws {WireError} "malformed" when a value is not a decimal number or the values disagree.
 */
export function declaredLength(values: readonly string[]): number | null {
  let length: string | null = null;
  for (const value of values) {
    for (const part of value.split(",")) {
      const digits = trimOws(part);
      if (!/^\d{1,15}$/.test(digits)) {
        throw new WireError("malformed", `malformed Content-Length ${quoteExcerpt(value)}`);
      }
      const normal = digits.replace(/^0+(?=.)/, "");
      if (length !== null && length !== normal) {
        throw new WireError(
          "malformed",
          `conflicting Content-Length values ${quoteExcerpt(values.join(", "))}`,
        );
      }
      length = normal;
    }
  }
  return length === null ? null : Number(length);
}

/**
 * The length a message's `Headers` declare, or null when they declare none (or one that is not a plain
 * number). For messages a server or HTTP client of ours already framed, which refused malformed and
 * conflicting lengths; `Headers` has already stripped the value's surrounding whitespace.
 *
 * @example
 * ```ts
 * headerContentLength(new Headers({ "content-length": "42" })); // 42
 * ```
 */
export function headerContentLength(headers: Headers): number | null {
  const value = headers.get("content-length");
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : null;
}
