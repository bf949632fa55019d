/**
 * How a scrape through the proxy ended, in the words of the `outcome` label on the proxy's scrape metrics:
 * a small fixed set, so that a rule like "failed scrapes per second by outcome" stays readable.
 */
import { HttpError, type HttpErrorOptions } from "./http_error.ts";

/** Every outcome, in the order the metrics pre-declare them. */
export const SCRAPE_OUTCOMES = [
  /** The client pushed a 2xx response and it reached the scraper whole. */
  "success",
  /** The client pushed a response that is not 2xx (the target's own, or the client's error), relayed. */
  "error_response",
  /** No client polls for the scraped host. */
  "no_client",
  /** The scrape's deadline passed: no poll took it, no push came back, or the body was still relaying. */
  "timeout",
  /** The client went away (stopped polling, or its connection closed) with the scrape queued or taken. */
  "client_gone",
  /** The push could not be relayed: malformed, cut short, too large, or an unusable status. */
  "broken_push",
  /** The scraper hung up first. */
  "scraper_gone",
  /** The scrape request itself was wrong (e.g. a bad timeout header). */
  "bad_request",
  /** The proxy was shutting down. */
  "shutdown",
  /** A fault of the proxy's own. */
  "internal",
] as const;

export type ScrapeOutcome = typeof SCRAPE_OUTCOMES[number];

/** A failed scrape: the answer for the scraper (status, reason phrase, message) and its outcome label. */
export class ScrapeError extends HttpError {
  readonly outcome: ScrapeOutcome;
  constructor(status: number, outcome: ScrapeOutcome, message: string, options: HttpErrorOptions) {
    super(status, message, options);
    this.name = "ScrapeError";
    this.outcome = outcome;
  }
}

/**
 * The outcome a scrape ended with: a relayed response counts by its status, an error by its kind (an error
 * that is not a ScrapeError broke the relay of a pushed body).
 *
 * @example
 * ```ts
 * scrapeOutcome(200); // "success"
 * scrapeOutcome(502); // "error_response"
 * scrapeOutcome(new ScrapeError(504, "timeout", "...", { reason: "no answer from client within 10s" })); // "timeout"
 * ```
 */
export function scrapeOutcome(result: number | unknown): ScrapeOutcome {
  if (typeof result === "number") return result >= 200 && result <= 299 ? "success" : "error_response";
  if (result instanceof ScrapeError) return result.outcome;
  if (result instanceof HttpError) return result.status === 400 ? "bad_request" : "broken_push";
  return "broken_push";
}
