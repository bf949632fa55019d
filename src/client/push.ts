/**
 * Pushing a scrape result to the proxy: `POST <proxy-url>push` with the target's response serialized as
 * HTTP/1.1 (or an error response). Bodies stream straight from the target to the proxy, so a scrape of
 * any size costs the client a few chunks of memory, not the whole body (upstream buffered it all).
 */
import type { RawFetch } from "../runtime/types.ts";
import type { HeaderLine } from "../wire/types.ts";
import { framedScrapeResponse, serializeBufferedScrapeResponse } from "../wire/mod.ts";
import { CONNECTION_HEADERS } from "./target_request.ts";
import { BodyTooLargeError, readExcerpt, readResponseCapped } from "./body_limits.ts";
import { headerContentLength } from "../wire/framing.ts";

/** What a push needs. */
export interface PushDeps {
  /** `<proxy-url>push`, parsed once for all pushes. */
  readonly pushUrl: URL;
  readonly proxyFetch: RawFetch;
  /** `--scrape.max-body-size` in bytes; 0 means unlimited. */
  readonly maxBodyBytes: number;
}

/** A target's response, the URL it came from, and its body as `readTargetBody()` read it. */
export interface TargetResult {
  readonly url: URL;
  readonly response: Response;
  /** Whole bytes (pushed with one Content-Length), a stream, or none. */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null;
}

/**
 * Headers that describe the target connection or its framing; the push carries its own framing, and the
 * proxy's answer to Prometheus is a different connection again.
 */
const NOT_PUSHED = new Set(CONNECTION_HEADERS);

/**
 * Pushes an already serialized error response.
 *
 * @example
 * ```ts
 * await pushErrorResponse(deps, serializeErrorResponse(500, "failed to scrape ...", extra), signal);
 * ```
 * @throws {Error} when the proxy cannot be reached or does not answer 2xx.
 */
export async function pushErrorResponse(
  deps: PushDeps,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  await post(deps, body, body.byteLength, signal);
}

/**
 * Pushes a target response to the proxy. A whole body goes in one message with one Content-Length; a
 * streamed one with a target Content-Length is sent with an exact Content-Length too (head plus body, the
 * body raw after the head), otherwise both are chunked. Content-Encoding and the compressed bytes pass
 * unchanged.
 *
 * @example
 * ```ts
 * const body = await readTargetBody(response, url);
 * await pushTargetResponse(deps, { url, response, body }, [["Id", id], ["X-Prometheus-Scrape-Timeout", "4.99"]], signal);
 * ```
 * @throws {BodyTooLargeError} when the body ran past `--scrape.max-body-size` (the push was cut).
 * @throws {Error} when the proxy cannot be reached, does not answer 2xx, or the target body broke.
 */
export async function pushTargetResponse(
  deps: PushDeps,
  result: TargetResult,
  extraHeaders: readonly HeaderLine[],
  signal: AbortSignal,
): Promise<void> {
  const { response, url, body } = result;
  const head = {
    status: response.status,
    statusText: response.statusText,
    headers: pushedHeaderLines(response.headers),
  };
  if (body instanceof Uint8Array) {
    // Most scrapes are small: one array and one write beat a chain of streams several times over in CPU.
    const message = serializeBufferedScrapeResponse(head, body, extraHeaders);
    return await post(deps, message, message.byteLength, signal);
  }
  const contentLength = body === null ? null : headerContentLength(response.headers);
  let exceeded = false;
  const limit = {
    maxBytes: deps.maxBodyBytes,
    error: () => {
      exceeded = true;
      return new BodyTooLargeError(
        `response of ${url.href} is larger than ${deps.maxBodyBytes} bytes`,
        deps.maxBodyBytes,
      );
    },
  };
  // One stream from the target's body to the push: the serializer frames, counts and limits it.
  const framed = framedScrapeResponse(head, body, { contentLength, extraHeaders, limit });
  try {
    await post(deps, framed.body, framed.length, signal);
  } catch (error) {
    // The push failed because the body ran past the limit: say that, not what the HTTP client made of it.
    if (exceeded) throw limit.error();
    throw error;
  }
}

/** The target's headers as they go into the push: all but hop-by-hop ones (and those Connection names). */
function pushedHeaderLines(headers: Headers): HeaderLine[] {
  const connection = headers.get("connection");
  const named = connection === null
    ? null
    : new Set(connection.split(",").map((token) => token.trim().toLowerCase()));
  const lines: HeaderLine[] = [];
  headers.forEach((value, name) => {
    if (!NOT_PUSHED.has(name) && !named?.has(name)) lines.push([name, value]);
  });
  return lines;
}

async function post(
  deps: PushDeps,
  body: Uint8Array | ReadableStream<Uint8Array>,
  length: number | null,
  signal: AbortSignal,
): Promise<void> {
  const headers: [string, string][] = length === null ? [] : [["Content-Length", String(length)]];
  // `duplex` is required by the fetch standard for a streamed request body; the type lib may not know it.
  const init = { method: "POST", headers, body, signal, duplex: "half" } as RequestInit;
  let response: Response;
  try {
    response = await deps.proxyFetch(deps.pushUrl, init);
  } catch (error) {
    if (body instanceof ReadableStream && !body.locked) await body.cancel(error).catch(() => {});
    throw error;
  }
  if (response.status < 200 || response.status > 299) {
    const excerpt = await readExcerpt(response.body, 200);
    throw new Error(`proxy answered the push with ${response.status}${excerpt === "" ? "" : `: ${excerpt}`}`);
  }
  // Reading the (normally empty) answer to its end lets the connection be reused.
  await readResponseCapped(response, 64 * 1024, "push response").catch(() => {});
}
