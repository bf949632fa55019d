/**
 * The scrape request as it travels in a poll response body: what Go's `Request.WriteProxy` writes in the
 * upstream proxy, plus the `Id` header that matches the later push to the waiting scrape.
 */

import { latin1Encode, quoteExcerpt } from "./bytes_text.ts";
import { declaredLength } from "./framing.ts";
import { encodeHeaderLines, sortByCanonicalKey, toHeaderLines } from "./header_lines.ts";
import { isToken } from "./http_syntax.ts";
import { DEFAULT_MAX_HEADER_BYTES, parseRequestHead } from "./request_head.ts";
import { type HeaderLine, type ScrapeRequest, WireError, type WireLimits } from "./types.ts";

// Go's request writer leaves out the framing headers (a scrape has no body) and writes Host and User-Agent
// itself, first. We also drop any Id the scraper sent: only ours may match a push.
const NOT_COPIED = new Set(["host", "user-agent", "content-length", "transfer-encoding", "trailer", "id"]);

/**
 * Upstream proxy's poll-response body: Go Request.WriteProxy format, with an `Id` header added.
 *
 * Request line in absolute form, then Host (the URL's host:port unless a Host header was given), then
 * User-Agent when given, then every other header sorted by canonical key, `Id` among them.
 *
 * @example
 * ```ts
 * serializeScrapeRequest({ method: "GET", url: "http://db1:9100/metrics", headers: new Headers() }, "42");
 * // bytes of "GET http://db1:9100/metrics HTTP/1.1\r\nHost: db1:9100\r\nId: 42\r\n\r\n"
 * ```
 * @throws {TypeError} for a method that is not a token, a URL that is not absolute http(s), an empty id,
 * or a header that cannot be written.
 */
export function serializeScrapeRequest(
  input: { method: string; url: string; headers: Headers | readonly HeaderLine[] },
  id: string,
): Uint8Array {
  if (!isToken(input.method)) {
    throw new TypeError(`Cannot serialize scrape request: invalid method ${quoteExcerpt(input.method)}`);
  }
  const url = URL.parse(input.url);
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:") || url.host === "") {
    throw new TypeError(
      `Cannot serialize scrape request: URL ${quoteExcerpt(input.url)} is not absolute http(s)`,
    );
  }
  if (id.trim() === "") throw new TypeError("Cannot serialize scrape request: the id is empty");
  const lines = toHeaderLines(input.headers);
  const find = (name: string) => lines.find(([key]) => key.toLowerCase() === name)?.[1];
  // As in Go, an empty Host falls back to the URL's and an empty User-Agent is not written.
  const first: HeaderLine[] = [["Host", find("host") || url.host]];
  const userAgent = find("user-agent");
  if (userAgent) first.push(["User-Agent", userAgent]);
  const others = lines.filter(([name]) => !NOT_COPIED.has(name.toLowerCase()));
  others.push(["Id", id]);
  const target = `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  const head = `${input.method} ${target} HTTP/1.1\r\n` + encodeHeaderLines(first) +
    encodeHeaderLines(sortByCanonicalKey(others)) + "\r\n";
  return latin1Encode(head);
}

/**
 * Parses a poll-response body (client side). Absolute-form request line required, or origin-form plus a
 * Host header. Requires an Id header. A scrape carries no body: one that declares a body is refused, bytes
 * after the head are ignored (as Go's reader does).
 *
 * @example
 * ```ts
 * const request = parseScrapeRequest(pollBody);
 * request.url; // "http://db1:9100/metrics"
 * request.id; // "2a33e70f-608a-4212-b961-9bb0f7b5b3f5"
 * ```
 * @throws {WireError} "malformed", "truncated" or "too_large" (head past `limits.maxHeaderBytes`).
 */
export function parseScrapeRequest(bytes: Uint8Array, limits?: WireLimits): ScrapeRequest {
  const head = parseRequestHead(bytes, limits?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  // One pass over the headers for the four this needs: every scrape comes this way.
  let host: string | undefined;
  let id: string | undefined;
  let chunked = false;
  const lengths: string[] = [];
  for (const [name, value] of head.headers) {
    const key = name.toLowerCase();
    if (key === "host") host ??= value;
    else if (key === "id") id ??= value;
    else if (key === "transfer-encoding") chunked = true;
    else if (key === "content-length") lengths.push(value);
  }
  const url = targetUrl(head.target, host);
  if (chunked || (declaredLength(lengths) ?? 0) > 0) {
    throw new WireError("malformed", "malformed scrape request: it declares a body");
  }
  if (id === undefined || id === "") {
    throw new WireError("malformed", "malformed scrape request: no Id header");
  }
  return { method: head.method, url, headers: head.headers, id };
}

/** The absolute URL a request target names, given the request's Host header. */
function targetUrl(target: string, host: string | undefined): string {
  if (/^https?:\/\//i.test(target)) {
    const url = URL.parse(target);
    if (url === null || url.host === "") {
      throw new WireError("malformed", `malformed request target ${quoteExcerpt(target)}`);
    }
    return url.href;
  }
  if (!target.startsWith("/")) {
    throw new WireError(
      "malformed",
      `malformed request target ${quoteExcerpt(target)}: neither absolute nor a path`,
    );
  }
  if (host === undefined) {
    throw new WireError(
      "malformed",
      `request target ${quoteExcerpt(target)} is a path but there is no Host header`,
    );
  }
  // Only authority characters: a "/", "?", "#" or "@" here would let the Host header rewrite the path.
  const candidate = /^[A-Za-z0-9\-._~%!$&'()*+,;=:[\]]+$/.test(host) ? `http://${host}${target}` : "";
  const url = URL.parse(candidate);
  if (url === null || url.host === "") {
    throw new WireError("malformed", `malformed Host header ${quoteExcerpt(host)}`);
  }
  return url.href;
}
