/**
 * The one error type that becomes an HTTP answer. Handlers throw it; the app turns it into a plain-text
 * response in one place, so every refusal the proxy makes reads the same way: one line naming what is wrong.
 */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }

  /** The response a scraper or client sees. */
  toResponse(): Response {
    return new Response(`${this.message}\n`, {
      status: this.status,
      headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
    });
  }
}
