/**
 * Turning a request head read off a raw socket into what the handler needs: URL, Headers, whether the
 * request line was absolute-form, how the body is framed, and whether the connection stays open after.
 * Kept strict where two parsers could disagree about where a body ends (request smuggling).
 */
import { parseRequestHead } from "../wire/request_head.ts";
import { declaredLength } from "../wire/framing.ts";
import { trimOws } from "../wire/http_syntax.ts";
import { quoteExcerpt } from "../wire/bytes_text.ts";
import { WireError } from "../wire/types.ts";

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

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
}

/**
 * Offset just after the blank line that ends a head in `bytes`, or -1 when it has not arrived yet.
 * `from` lets a caller resume the search where the previous one stopped. Bare LF line ends count too.
 *
 * @example
 * ```ts
 * headEnd(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\nbody"), 0); // 18
 * ```
 */
export function headEnd(bytes: Uint8Array, from: number): number {
  for (let lf = bytes.indexOf(0x0a, from); lf !== -1; lf = bytes.indexOf(0x0a, lf + 1)) {
    const next = bytes[lf + 1];
    if (next === 0x0a) return lf + 2;
    if (next === 0x0d && bytes[lf + 2] === 0x0a) return lf + 3;
    if (next === undefined || (next === 0x0d && lf + 2 >= bytes.length)) return -1;
  }
  return -1;
}

/**
 * Parses and interprets the head at the start of `bytes` (which must contain the whole head).
 *
 * @example
 * ```ts
 * const head = interpretHead(new TextEncoder().encode("GET http://h:9100/metrics HTTP/1.1\r\n\r\n"), false);
 * head.absoluteForm; // true
 * ```
 * @throws {WireError} "too_large" past `maxHeaderBytes`, "malformed" for anything a server must refuse
 * with 400: bad syntax, a bad URL, conflicting or unsupported body framing, HTTP/1.1 without Host.
 */
export function interpretHead(bytes: Uint8Array, tls: boolean, maxHeaderBytes: number): IncomingHead {
  const head = parseRequestHead(bytes, maxHeaderBytes);
  if (head.version !== "HTTP/1.1" && head.version !== "HTTP/1.0") {
    throw new WireError("malformed", `unsupported HTTP version ${quoteExcerpt(head.version)}`);
  }
  const headers = new Headers();
  const lengths: string[] = [];
  let codings: string | null = null;
  for (const [name, value] of head.headers) {
    headers.append(name, value);
    const lower = name.toLowerCase();
    if (lower === "content-length") lengths.push(value);
    else if (lower === "transfer-encoding") codings = codings === null ? value : `${codings},${value}`;
  }
  const absoluteForm = ABSOLUTE_FORM.test(head.target);
  const host = headers.get("host");
  if (host === null && head.version === "HTTP/1.1" && !absoluteForm) {
    throw new WireError("malformed", "HTTP/1.1 request without a Host header");
  }
  const url = absoluteForm ? head.target : `${tls ? "https" : "http"}://${host || "localhost"}${head.target}`;
  if (!absoluteForm && !head.target.startsWith("/") && head.target !== "*") {
    throw new WireError("malformed", `unsupported request target ${quoteExcerpt(head.target)}`);
  }
  if (!URL.canParse(url)) throw new WireError("malformed", `malformed request URL ${quoteExcerpt(url)}`);
  const connection = (headers.get("connection") ?? "").toLowerCase();
  const keepAlive = head.version === "HTTP/1.1"
    ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection)
    : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
  return {
    method: head.method,
    url,
    headers,
    absoluteForm,
    body: bodyFraming(codings, lengths),
    keepAlive,
    expectContinue: (headers.get("expect") ?? "").toLowerCase() === "100-continue",
    bodyOffset: head.bodyOffset,
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
