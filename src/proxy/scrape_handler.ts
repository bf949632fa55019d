/**
 * A scrape arriving through `proxy_url`: an absolute-form request for `http://<fqdn>:<port>/<path>`.
 * It is queued for the client polling for `<fqdn>` and answered with whatever that client pushes back.
 */
import { serializeScrapeRequest } from "../wire/mod.ts";
import type { Coordinator } from "./coordinator.ts";
import { normalizeHost } from "./fqdn.ts";
import { ScrapeError } from "./scrape_outcome.ts";
import { toReasonPhrase } from "../wire/reason_phrase.ts";

export const TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";

export interface ScrapeTimeouts {
  readonly defaultMs: number;
  readonly maxMs: number;
  /** Leave the scraper's `Proxy-Authorization` out of what the client gets (it was meant for us). */
  readonly dropProxyAuthorization?: boolean;
}

/**
 * The scrape's timeout: Prometheus' header, clamped to the maximum, or the default when absent.
 * Throws ScrapeError(400) for a header that is not a positive number of seconds.
 */
export function scrapeTimeoutMs(header: string | null, timeouts: ScrapeTimeouts): number {
  if (header === null || header.trim() === "") return Math.min(timeouts.defaultMs, timeouts.maxMs);
  const seconds = Number(header.trim());
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ScrapeError(
      400,
      "bad_request",
      `invalid ${TIMEOUT_HEADER} header ${
        JSON.stringify(header.slice(0, 32))
      }: expected a positive number of seconds`,
      { reason: `invalid ${TIMEOUT_HEADER} header` },
    );
  }
  return Math.min(seconds * 1000, timeouts.maxMs);
}

/** The answer for the scraper, and for a streamed body, when and how its relay ended (see ScrapeReply). */
export interface ScrapeAnswer {
  readonly response: Response;
  readonly relayed: Promise<Error | null> | null;
}

/** Where a scrape for an FQDN with no client here goes instead (the cluster), if anywhere. */
export interface ScrapeFallback {
  /** Headers that are the fallback's own business and never reach a client. */
  readonly privateHeaders: readonly string[];
  /** Answers a scrape for `fqdn`, which has no client here; may reject with HttpError. */
  scrape(request: Request, fqdn: string, timeoutMs: number): Promise<Response>;
}

/** Forwards one scrape; rejects with a ScrapeError (or HttpError) naming why it failed. */
export async function handleScrape(
  request: Request,
  coordinator: Coordinator,
  timeouts: ScrapeTimeouts,
  fallback?: ScrapeFallback,
): Promise<ScrapeAnswer> {
  const url = new URL(request.url);
  const timeoutMs = scrapeTimeoutMs(request.headers.get(TIMEOUT_HEADER), timeouts);
  const fqdn = normalizeHost(url.hostname);
  if (fallback !== undefined && !coordinator.has(fqdn)) {
    return { response: await fallback.scrape(request, fqdn, timeoutMs), relayed: null };
  }
  // Always tell the client the effective timeout: upstream's Go client cannot scrape without the header, and
  // a clamped timeout must reach the client so it gives up before we do.
  const headers = new Headers(request.headers);
  headers.set(TIMEOUT_HEADER, formatSeconds(timeoutMs));
  for (const name of fallback?.privateHeaders ?? []) headers.delete(name);
  if (timeouts.dropProxyAuthorization) headers.delete("proxy-authorization");
  const reply = await coordinator.scrape({
    fqdn,
    url: request.url,
    timeoutMs,
    signal: request.signal,
    serialize: (id) => serializeScrapeRequest({ method: request.method, url: request.url, headers }, id),
  });
  const response = new Response(reply.body, {
    status: reply.status,
    // Whatever the client pushed, the status line stays one short valid line.
    statusText: toReasonPhrase(reply.statusText),
    headers: reply.headers,
  });
  return { response, relayed: reply.relayed };
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}
