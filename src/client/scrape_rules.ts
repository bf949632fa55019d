/**
 * What this client agrees to scrape, and where it connects to do it: `--allow-port`, `--allow-method` and
 * `--use-localhost`. Anyone who can reach the proxy can send this client a scrape request, so these rules
 * bound what such a request can make the client do on its host. Pure functions; `scrape.ts` applies them.
 */
import { dialAddress } from "../http/client/byte_conn.ts";
import { quoteExcerpt } from "../wire/bytes_text.ts";
import { isToken } from "../wire/http_syntax.ts";

/** The rules, as the command line set them. */
export interface ScrapeRules {
  /** Target ports a scrape may reach; null = any port (upstream's behaviour). */
  readonly allowedPorts: ReadonlySet<number> | null;
  /** Methods relayed to a target, upper-case; null = any method (upstream's behaviour). */
  readonly allowedMethods: ReadonlySet<string> | null;
  /** Connect to 127.0.0.1 instead of resolving the scrape URL's host (this client's FQDN). */
  readonly useLocalhost: boolean;
}

/**
 * The defaults: any port, GET and HEAD only, connect to the FQDN. Prometheus only ever sends GET, so
 * refusing other methods changes nothing for scrapes; it stops a `DELETE` or `PUT` sent through the proxy
 * from reaching an exporter's admin endpoints.
 */
export const DEFAULT_SCRAPE_RULES: ScrapeRules = {
  allowedPorts: null,
  allowedMethods: new Set(["GET", "HEAD"]),
  useLocalhost: false,
};

/** Why a scrape is refused: the status line's reason phrase and the message naming the target. */
export interface Refusal {
  /** e.g. `port 22 not allowed by --allow-port`; short enough for a status line. */
  readonly reason: string;
  /** The reason with the target it refused, for the body and the log. */
  readonly message: string;
}

/**
 * Checks a scrape against the rules; null when it may go ahead. `url` is the URL that would be scraped
 * (after `?_scheme=https`), so its port is the one that would be connected to.
 *
 * @example
 * ```ts
 * const rules = { ...DEFAULT_SCRAPE_RULES, allowedPorts: new Set([9100]) };
 * refuseScrape(rules, "GET", new URL("http://h:22/")); // { reason: "port 22 not allowed by --allow-port", ... }
 * ```
 */
export function refuseScrape(rules: ScrapeRules, method: string, url: URL): Refusal | null {
  let reason: string | null = null;
  const { port } = dialAddress(url);
  // Method first: for a DELETE to a port that is refused too, the method is the more telling reason.
  if (rules.allowedMethods !== null && !rules.allowedMethods.has(method.toUpperCase())) {
    // The reason goes into a status line: a method that is not a token is shown escaped.
    reason = `method ${isToken(method) ? method : quoteExcerpt(method)} not allowed by --allow-method`;
  } else if (rules.allowedPorts !== null && !rules.allowedPorts.has(port)) {
    reason = `port ${port} not allowed by --allow-port`;
  }
  return reason === null ? null : { reason, message: `refusing to scrape ${url.href}: ${reason}` };
}

/**
 * Where to connect for `url`: `url` itself, or with `--use-localhost` the same URL on 127.0.0.1. The
 * request keeps the original `Host` (see `scrape.ts`); `url` is never modified.
 *
 * @example
 * ```ts
 * connectUrl({ ...DEFAULT_SCRAPE_RULES, useLocalhost: true }, new URL("http://h.example:9100/m")).href;
 * // "http://127.0.0.1:9100/m"
 * ```
 */
export function connectUrl(rules: ScrapeRules, url: URL): URL {
  if (!rules.useLocalhost) return url;
  const local = new URL(url.href);
  local.hostname = "127.0.0.1";
  return local;
}
