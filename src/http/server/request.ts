/**
 * Turning a request head read off a raw socket into what the handler needs: URL, Headers, whether the
 * request line was absolute-form, how the body is framed, and whether the connection stays open after.
 * Kept strict where two parsers could disagree about where a body ends (request smuggling).
 */
import { parseRequestHead } from "../../wire/request_head.ts";
import { declaredLength } from "../../wire/framing.ts";
import { trimOws } from "../../wire/http_syntax.ts";
import { quoteExcerpt } from "../../wire/bytes_text.ts";
import { WireError } from "../../wire/types.ts";
import { isAbsoluteForm, requestUrl } from "./request_target.ts";

/**
 * Methods we pass to the handler. Bun's `Request` turns any method it does not know into GET ("FOO", "-ET")
 * and upper-cases the ones it knows ("purge"), so the handler would serve a request that was never sent;
 * refusing the rest is what node:http does too. Methods are case-sensitive (RFC 9110 section 9.1).
 */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]);

/** How the request body is delimited on the wire. */
export type RequestBodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

/** A request head, interpreted. */
export interface IncomingHead {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly absoluteForm: boolean;
  readonly body: RequestBodyFraming;
  /** False for `Connection: close` and for HTTP/1.0 without `Connection: keep-alive`. */
  readonly keepAlive: boolean;
  /** The client sent `Expect: 100-continue` and waits for an interim answer before the body. */
  readonly expectContinue: boolean;
  /** Offset of the first body byte in the bytes the head was parsed from. */
  readonly bodyOffset: number;
  /** "HTTP/1.1" or "HTTP/1.0": a 1.0 client cannot read a chunked response. */
  readonly version: "HTTP/1.1" | "HTTP/1.0";
}

/**
 * How many CR and LF bytes before a request line are skipped: RFC 9112 section 2.2 asks servers to ignore
 * at least one empty line there (some clients send CRLF after a POST body), and Go's server skips up to 4.
 * Bounded, so a stream of nothing but line ends still ends in a 400 or 431.
 */
const MAX_LEADING_BLANK = 4;

function leadingBlank(bytes: Uint8Array): number {
  let n = 0;
  while (n < MAX_LEADING_BLANK && (bytes[n] === 0x0d || bytes[n] === 0x0a)) n++;
  return n;
}

/**
 * Offset just after the blank line that ends a head in `bytes`, or -1 when it has not arrived yet.
 * `from` lets a caller resume the search where the previous one stopped. Bare LF line ends count too, and
 * up to 4 CR or LF bytes before the request line are not taken for the blank line.
 *
 * @example
 * ```ts
 * headEnd(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\nbody"), 0); // 18
 * ```
 */
export function headEnd(bytes: Uint8Array, from: number): number {
  const start = Math.max(from, leadingBlank(bytes));
  for (let lf = bytes.indexOf(0x0a, start); lf !== -1; lf = bytes.indexOf(0x0a, lf + 1)) {
    const next = bytes[lf + 1];
    if (next === 0x0a) return lf + 2;
    if (next === 0x0d && bytes[lf + 2] === 0x0a) return lf + 3;
    if (next === undefined || (next === 0x0d && lf + 2 >= bytes.length)) return -1;
  }
  return -1;
}

/**
 * Parses and interprets the head at the start of `bytes` (which must contain the whole head). A Web
 * `Request` cannot carry an asterisk-form target (`OPTIONS * HTTP/1.1`): its URL gets the path "/*".
 *
 * @example
 * ```ts
 * const head = interpretHead(new TextEncoder().encode("GET http://h:9100/metrics HTTP/1.1\r\n\r\n"), false);
 * head.absoluteForm; // true
 * ```
 * @throws {WireError} "too_large" past `maxHeaderBytes`, "malformed" for anything a server must refuse
 * with 400: bad syntax, a method outside RFC 9110 and PATCH, a bad URL or Host, authority-form, conflicting
 * or unsupported body framing, HTTP/1.1 without Host.
 */
export function interpretHead(bytes: Uint8Array, tls: boolean, maxHeaderBytes: number): IncomingHead {
  const skip = leadingBlank(bytes);
  const head = parseRequestHead(bytes.subarray(skip), maxHeaderBytes);
  const version = head.version;
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new WireError("malformed", `unsupported HTTP version ${quoteExcerpt(version)}`);
  }
  if (!METHODS.has(head.method)) {
    throw new WireError("malformed", `unsupported method ${quoteExcerpt(head.method)}`);
  }
  // One constructor call rather than an append per field: on Bun that is several times cheaper.
  const headers = new Headers(head.headers as [string, string][]);
  const lengths: string[] = [];
  let codings: string | null = null;
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === "content-length") lengths.push(value);
    else if (lower === "transfer-encoding") codings = codings === null ? value : `${codings},${value}`;
  }
  const absoluteForm = isAbsoluteForm(head.target);
  const url = requestUrl({ ...head, host: headers.get("host"), tls });
  const connection = (headers.get("connection") ?? "").toLowerCase();
  // RFC 9112 section 6.1: Transfer-Encoding in an HTTP/1.0 request means framing that cannot be trusted;
  // the message may be read, but the connection must close after it.
  const keepAlive = version === "HTTP/1.1"
    ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection)
    : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection) && codings === null;
  return {
    method: head.method,
    url,
    headers,
    absoluteForm,
    body: bodyFraming(codings, lengths),
    keepAlive,
    expectContinue: (headers.get("expect") ?? "").toLowerCase() === "100-continue",
    bodyOffset: skip + head.bodyOffset,
    version,
  };
}

function bodyFraming(codings: string | null, lengths: readonly string[]): RequestBodyFraming {
  if (codings !== null) {
    if (lengths.length > 0) {
      throw new WireError(
        "malformed",
        "malformed request: both Content-Length and Transfer-Encoding are present",
      );
    }
    if (trimOws(codings).toLowerCase() !== "chunked") {
      throw new WireError(
        "malformed",
        `unsupported Transfer-Encoding ${quoteExcerpt(codings)}: only chunked is accepted`,
      );
    }
    return { kind: "chunked" };
  }
  const length = declaredLength(lengths);
  return length === null || length === 0 ? { kind: "none" } : { kind: "length", length };
}
