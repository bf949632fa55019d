/**
 * The PushProx wire format: the scrape request a proxy hands to a polling client, and the scrape response
 * the client pushes back, both as HTTP/1.1 messages byte-compatible with upstream Go PushProx v0.2.0.
 *
 * @example
 * ```ts
 * import { parseScrapeRequest, serializeScrapeRequest } from "./mod.ts";
 * const body = serializeScrapeRequest({ method: "GET", url: "http://db1:9100/metrics", headers: [] }, "42");
 * parseScrapeRequest(body).id; // "42"
 * ```
 * @module
 */

export * from "./types.ts";
export { canonicalHeaderKey } from "./http_syntax.ts";
export { headersFromLines } from "./header_lines.ts";
export { parseScrapeRequest, serializeScrapeRequest } from "./scrape_request.ts";
export {
  framedScrapeResponse,
  serializeBufferedScrapeResponse,
  serializeErrorResponse,
  serializeScrapeResponse,
} from "./scrape_response_write.ts";
export { parseBufferedScrapeResponse, parseScrapeResponse } from "./scrape_response_read.ts";
