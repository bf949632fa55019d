/**
 * A request as our raw HTTP client writes it, from either form `fetch` takes: a `Request`, or a URL and
 * an init. Building a `Request` is not free: a client scraping a few times a second made three per scrape,
 * and `new Request` was 6% of its CPU profile. So the client's own legs call with (URL, init), and the
 * init shapes they use (bytes or streams as bodies; header pairs, records or `Headers`) go straight to
 * the wire, checked as `fetch` checks them. Anything else is handed to `new Request` after
 * all, so the semantics stay fetch's.
 */
import type { HeaderLine } from "../../wire/types.ts";
import type { RawRequestInit } from "../../runtime/types.ts";
import { isFieldValue, isToken, trimOws } from "../../wire/http_syntax.ts";

/** A request body declared this small is read whole and written with its head; larger ones stream. */
const SMALL_BODY_BYTES = 64 * 1024;

/** What the raw client writes. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** As given, names in the caller's case. */
  readonly headers: readonly HeaderLine[];
  /**
   * Whole bytes, which leave with the head (and a Content-Length if none was given), a stream (chunked
   * unless a Content-Length was given), or none.
   */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null;
  readonly signal: AbortSignal;
  /** An HTTP proxy to send the request through, in absolute form; null to connect to `url` itself. */
  readonly proxy: URL | null;
}

/** The methods fetch upper-cases when given in any case; others are sent as given. */
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Normalizes fetch's arguments. `unset` is the signal of a request that was given none.
 *
 * @example
 * ```ts
 * const out = await outgoingRequest(new URL("http://proxy:8080/poll"), {
 *   method: "POST", headers: [["PushProx-Accept-Idle", "1"]], body: new TextEncoder().encode("host-a"),
 * }, new AbortController().signal);
 * ```
 * @throws {TypeError} for what `fetch` refuses: a bad URL, method or header, a body on GET or HEAD.
 */
export async function outgoingRequest(
  input: Request | URL | string,
  init: RawRequestInit | undefined,
  unset: AbortSignal,
): Promise<OutgoingRequest> {
  const proxy = init?.proxy === undefined ? null : proxyUrl(init.proxy);
  if (input instanceof Request || !hasDirectShape(init)) {
    return await fromRequest(
      init === undefined && input instanceof Request ? input : new Request(input, init),
      proxy,
    );
  }
  const url = input instanceof URL ? input : new URL(input);
  const method = normalizeMethod(init?.method ?? "GET");
  const body = directBody(init?.body);
  if (body !== null && (method === "GET" || method === "HEAD")) {
    throw new TypeError(`a ${method} request cannot have a body`);
  }
  return { method, url, headers: headerLines(init?.headers), body, signal: init?.signal ?? unset, proxy };
}

function proxyUrl(given: string | URL): URL {
  const url = given instanceof URL ? given : new URL(given);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`unsupported proxy URL scheme "${url.protocol}" in ${url.href}`);
  }
  return url;
}

/** The value of the first header named `name` (lower case), or null. */
export function headerValue(headers: readonly HeaderLine[], name: string): string | null {
  for (const [key, value] of headers) {
    if (key.length === name.length && key.toLowerCase() === name) return value;
  }
  return null;
}

/** True when the init has only what the direct path understands. */
function hasDirectShape(init: RequestInit | undefined): boolean {
  if (init === undefined) return true;
  const { body, headers } = init;
  // Not a string: fetch gives a string body a Content-Type of its own, which is the runtime's to decide.
  const plainBody = body === undefined || body === null || body instanceof Uint8Array ||
    body instanceof ArrayBuffer || body instanceof ReadableStream;
  const plainHeaders = headers === undefined || Array.isArray(headers) || headers instanceof Headers ||
    Object.getPrototypeOf(headers) === Object.prototype;
  return plainBody && plainHeaders;
}

function directBody(body: BodyInit | null | undefined): Uint8Array | ReadableStream<Uint8Array> | null {
  if (body === undefined || body === null) return null;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return body as Uint8Array | ReadableStream<Uint8Array>;
}

function normalizeMethod(method: string): string {
  if (!isToken(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(method)}`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`HTTP method ${method} is not allowed`);
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

function headerLines(headers: HeadersInit | undefined): HeaderLine[] {
  if (headers === undefined) return [];
  // A Headers object checked its entries already.
  if (headers instanceof Headers) return [...headers];
  const lines = Array.isArray(headers) ? headers : Object.entries(headers);
  return lines.map((line) => {
    if (line.length !== 2) {
      throw new TypeError(`a header must be a [name, value] pair, got ${line.length} items`);
    }
    const name = line[0]!;
    // Like Headers: surrounding spaces and tabs go, anything that could end the line is refused.
    const value = trimOws(line[1]!);
    if (!isToken(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (!isFieldValue(value)) {
      throw new TypeError(`invalid value for header ${name}: ${JSON.stringify(value)}`);
    }
    return [name, value] as const;
  });
}

async function fromRequest(request: Request, proxy: URL | null): Promise<OutgoingRequest> {
  const headers = [...request.headers];
  const declared = request.headers.get("content-length");
  const base = { method: request.method, url: new URL(request.url), headers, signal: request.signal, proxy };
  // `declared` is tested first: merely reading `request.body` makes some runtimes build a stream.
  if (declared !== null && Number(declared) <= SMALL_BODY_BYTES) {
    // Small (a poll, most pushes): read whole, so it leaves with its head in one write.
    return { ...base, body: new Uint8Array(await request.arrayBuffer()) };
  }
  return { ...base, body: request.body };
}
