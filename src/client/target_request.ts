/**
 * Turning a scrape request from the proxy into the request we send to the local target: which URL, which
 * headers, how long we may take. Pure functions; the I/O lives in `scrape.ts`.
 */
import type { HeaderLine } from "../wire/types.ts";

/** Used when the scraper sent no usable `X-Prometheus-Scrape-Timeout-Seconds` (upstream failed instead). */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 15_000;

/**
 * Headers that describe one connection or its framing, never the message: neither forwarded to the target
 * nor carried inside a push (each hop frames its own body).
 */
export const CONNECTION_HEADERS: readonly string[] = [
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "upgrade",
  "trailer",
  "transfer-encoding",
  "content-length",
];

/**
 * Hop-by-hop headers describe one connection, not the message, so they stop here. Upstream forwarded
 * them (curl's `Proxy-Connection: Keep-Alive` reached the target); we do not. Host and Content-Length are
 * dropped too: Host is rebuilt from the target URL and a scrape request carries no body.
 */
const NOT_FORWARDED = new Set([...CONNECTION_HEADERS, "host"]);

/**
 * True when the scrape URL's host is this client's FQDN, ignoring case and a trailing root dot.
 *
 * @example
 * ```ts
 * hostMatchesFqdn(new URL("http://Node1.example:9100/metrics"), "node1.example"); // true
 * ```
 */
export function hostMatchesFqdn(url: URL, fqdn: string): boolean {
  return normalizeHost(url.hostname) === normalizeHost(fqdn);
}

function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/**
 * The URL to scrape: `?_scheme=https` (Prometheus' `__scheme__` carried as a parameter, since the proxy
 * hop is always plain HTTP) switches to https and is removed. Every other query byte is kept as it was;
 * re-encoding the query (as upstream does) could change what the target sees. Without a query this is
 * `scrapeUrl` itself; `scrapeUrl` is never modified.
 *
 * @example
 * ```ts
 * targetUrl(new URL("http://h:9100/metrics?_scheme=https&a=1")).href; // "https://h:9100/metrics?a=1"
 * ```
 */
export function targetUrl(scrapeUrl: URL): URL {
  // Nearly every scrape URL has no query: then it is the target URL as it is, and not parsed again.
  if (scrapeUrl.search === "") return scrapeUrl;
  const url = new URL(scrapeUrl.href);
  const pairs = url.search.slice(1).split("&");
  const isScheme = (pair: string) => decodeFormComponent(pair.split("=", 1)[0]) === "_scheme";
  const wantsHttps = pairs.some((pair) => {
    const eq = pair.indexOf("=");
    return eq >= 0 && isScheme(pair) && decodeFormComponent(pair.slice(eq + 1)) === "https";
  });
  if (!wantsHttps) return url;
  url.protocol = "https:";
  url.search = pairs.filter((pair) => !isScheme(pair)).join("&");
  return url;
}

/** Form-decodes one query component; a malformed escape simply matches nothing. */
function decodeFormComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return null;
  }
}

/**
 * The scrape timeout in ms from `X-Prometheus-Scrape-Timeout-Seconds` (float seconds); a missing,
 * unparseable or non-positive value gives DEFAULT_SCRAPE_TIMEOUT_MS.
 *
 * @example
 * ```ts
 * scrapeTimeoutMs([["X-Prometheus-Scrape-Timeout-Seconds", "4.5"]]); // 4500
 * ```
 */
export function scrapeTimeoutMs(headers: readonly HeaderLine[]): number {
  const line = headers.find(([name]) => name.toLowerCase() === "x-prometheus-scrape-timeout-seconds");
  const text = line?.[1].trim() ?? "";
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return DEFAULT_SCRAPE_TIMEOUT_MS;
  const ms = Number(text) * 1000;
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_SCRAPE_TIMEOUT_MS;
}

/**
 * How long the target may take: the timeout minus a margin left for pushing an error before the proxy
 * gives up. Upstream used the whole timeout, so its error push was always too late and Prometheus only saw
 * a bare deadline error. Margin: 10% of the timeout, clamped to [100 ms, 1 s], and never more than half.
 *
 * @example
 * ```ts
 * scrapeBudgetMs(1000); // 900
 * scrapeBudgetMs(30_000); // 29000
 * ```
 */
export function scrapeBudgetMs(timeoutMs: number): number {
  const margin = Math.min(Math.min(1000, Math.max(100, timeoutMs * 0.1)), timeoutMs / 2);
  return timeoutMs - margin;
}

/**
 * The scraper's headers to send on to the target, in order, without hop-by-hop headers (including any the
 * `Connection` header names) and without Host and Content-Length. Accept-Encoding passes untouched: the
 * target's compressed bytes must reach Prometheus as they are.
 *
 * @example
 * ```ts
 * forwardedHeaderLines([["Accept", "*\/*"], ["Proxy-Connection", "Keep-Alive"]]); // [["Accept", "*\/*"]]
 * ```
 */
export function forwardedHeaderLines(headers: readonly HeaderLine[]): HeaderLine[] {
  const named = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== "connection") continue;
    for (const token of value.split(",")) named.add(token.trim().toLowerCase());
  }
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !NOT_FORWARDED.has(lower) && !named.has(lower);
  });
}

/**
 * Seconds left before the scrape's deadline, as upstream writes `X-Prometheus-Scrape-Timeout` (Go's %f,
 * six decimals); never negative.
 *
 * @example
 * ```ts
 * formatRemainingSeconds(4991.057); // "4.991057"
 * ```
 */
export function formatRemainingSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}
