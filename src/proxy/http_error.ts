/**
 * The one error type that becomes an HTTP answer. Handlers throw it; the app turns it into a plain-text
 * response in one place, so every refusal the proxy makes reads the same way: one line naming what is wrong.
 */
import { toReasonPhrase } from "../wire/reason_phrase.ts";

/** How an HttpError is built: `reason` is a few words for the status line, the message says it in full. */
export interface HttpErrorOptions extends ErrorOptions {
  /**
   * The reason phrase, naming the cause in a few words (Prometheus shows a failed scrape's status line and
   * nothing else). Without one, the status code's standard phrase is written.
   */
  readonly reason?: string;
}

export class HttpError extends Error {
  readonly status: number;
  /** The status line's reason phrase, as written; "" for the standard phrase. */
  readonly reason: string;
  constructor(status: number, message: string, options?: HttpErrorOptions) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
    this.reason = options?.reason === undefined ? "" : toReasonPhrase(options.reason);
  }

  /** The response a scraper or client sees. */
  toResponse(): Response {
    return new Response(`${this.message}\n`, {
      status: this.status,
      statusText: this.reason,
      headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
    });
  }
}
