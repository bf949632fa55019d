/**
 * Shapes of the two messages PushProx carries inside its HTTP exchanges.
 *
 * The proxy answers a poll with a scrape *request* serialized as HTTP/1.1 in absolute form (what Go's
 * `Request.WriteProxy` writes), and the client pushes the target's *response* serialized as an HTTP/1.1
 * response (Go's `Response.Write`). Both sides of that contract live in `src/wire/`; nothing else in the
 * codebase reads or writes these bytes.
 */

/** One header line as it stood on the wire: original case, original order, repeats kept. */
export type HeaderLine = readonly [name: string, value: string];

/** A scrape request as carried in a poll response body. */
export interface ScrapeRequest {
  /** Usually "GET". */
  readonly method: string;
  /** Absolute URL, e.g. `http://host:9100/metrics?_scheme=https`. */
  readonly url: string;
  /** Headers in wire order (Host and the `Id` header included). */
  readonly headers: readonly HeaderLine[];
  /** The scrape id from the `Id` header: how the push is matched to the waiting scrape. */
  readonly id: string;
}

/** How the body of a parsed response is framed on the wire. */
export type BodyFraming = "chunked" | "content-length" | "until-eof" | "none";

/** The head of a pushed scrape response; its body follows as a stream. */
export interface ScrapeResponseHead {
  /** e.g. "HTTP/1.1", or "HTTP/0.0" as upstream's client writes for errors. */
  readonly proto: string;
  readonly status: number;
  /** Reason phrase, possibly empty. */
  readonly statusText: string;
  /** Headers in wire order, framing headers (Transfer-Encoding, Content-Length) included. */
  readonly headers: readonly HeaderLine[];
  readonly framing: BodyFraming;
  /** Declared body length when framed by Content-Length, else null. */
  readonly contentLength: number | null;
  /** Value of the `Id` header, or null when absent. */
  readonly id: string | null;
}

/** A parsed pushed response: its head, and its body decoded from the wire framing (chunks removed). */
export interface ParsedScrapeResponse {
  readonly head: ScrapeResponseHead;
  /** Decoded body bytes; an empty stream when there is no body. Errors with WireError if framing breaks. */
  readonly body: ReadableStream<Uint8Array>;
  /** Why the head, though whole and parsed, cannot be relayed (too many fields), or null. */
  readonly headError: WireError | null;
}

/** A pushed scrape response parsed whole, from bytes already in memory. */
export interface BufferedScrapeResponse {
  readonly head: ScrapeResponseHead;
  /** Body bytes, a view of the input; empty when `bodyError` is set. */
  readonly body: Uint8Array<ArrayBuffer>;
  /** What is wrong with the body (cut short, past the limit) or the head (too many fields), or null. */
  readonly bodyError: WireError | null;
}

/** Limits applied while parsing anything that arrived over the network. */
export interface WireLimits {
  /** Maximum bytes of start line plus headers (default 64 KiB). */
  readonly maxHeaderBytes?: number;
  /** Maximum decoded body bytes; the body stream errors with WireError("too_large") past it. */
  readonly maxBodyBytes?: number;
}

export type WireErrorReason = "malformed" | "too_large" | "truncated";

/**
 * The only error the wire parsers throw (or error their streams with). `reason` lets the proxy choose an
 * HTTP status (400 vs 413) and the fuzz test assert that nothing else ever escapes.
 */
export class WireError extends SyntaxError {
  readonly reason: WireErrorReason;
  constructor(reason: WireErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WireError";
    this.reason = reason;
  }
}
