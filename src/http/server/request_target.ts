/**
 * The URL a handler sees for a request, taken from the request line alone. Both servers use it: node:http
 * hands over the raw target and Host, and building the URL from Host the usual way would let
 * `Host: x/metrics?` turn `GET /anything` into a request for `/metrics`.
 */
import { quoteExcerpt } from "../../wire/bytes_text.ts";
import { WireError } from "../../wire/types.ts";

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;
/**
 * RFC 3986 authority as a Host header may carry it: IP-literal or reg-name, optional port. Anything else
 * ("/", "?", "#", "@", "\\", spaces, and the ", " that joins two Host headers) is refused.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d{0,5})?$/;

/** What the request line and Host say about where a request goes. */
export interface RequestTarget {
  readonly method: string;
  /** The request target exactly as on the request line. */
  readonly target: string;
  readonly version: string;
  /** The Host header's value, repeats joined with ", "; null when absent. */
  readonly host: string | null;
  readonly tls: boolean;
}

/** True when the request line names a full URL (a scrape arriving through `proxy_url`). */
export function isAbsoluteForm(target: string): boolean {
  return ABSOLUTE_FORM.test(target);
}

/**
 * The request's URL: the target itself in absolute form, else scheme, Host (checked) and the target's
 * path. A Web `Request` cannot carry an asterisk-form target (`OPTIONS * HTTP/1.1`): its URL gets "/*".
 *
 * @example
 * ```ts
 * requestUrl({ method: "GET", target: "/metrics", version: "HTTP/1.1", host: "p:8080", tls: false });
 * // "http://p:8080/metrics"
 * ```
 * @throws {WireError} "malformed" for HTTP/1.1 without Host, a malformed or repeated Host, a target that
 * is neither origin-, absolute- nor asterisk-form, or a URL that does not parse.
 */
export function requestUrl(request: RequestTarget): string {
  const { target, host } = request;
  const absoluteForm = isAbsoluteForm(target);
  if (host === null && request.version === "HTTP/1.1" && !absoluteForm) {
    throw new WireError("malformed", "HTTP/1.1 request without a Host header");
  }
  // RFC 9112 section 3.2: only absolute-form ignores Host, so a bad one is refused only with other forms.
  if (!absoluteForm && host !== null && !HOST.test(host)) {
    throw new WireError("malformed", `malformed Host header ${quoteExcerpt(host)}`);
  }
  const asterisk = target === "*" && request.method === "OPTIONS";
  if (!absoluteForm && !target.startsWith("/") && !asterisk) {
    throw new WireError("malformed", `unsupported request target ${quoteExcerpt(target)}`);
  }
  const path = asterisk ? "/*" : target;
  const url = absoluteForm ? target : `${request.tls ? "https" : "http"}://${host || "localhost"}${path}`;
  if (!URL.canParse(url)) throw new WireError("malformed", `malformed request URL ${quoteExcerpt(url)}`);
  return url;
}
