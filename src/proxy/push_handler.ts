/**
 * `POST /push`: a client hands back a scrape result, serialized as an HTTP response. The head is parsed as it
 * arrives, the waiting scrape is found by its `Id`, and the body streams straight through to the scraper; we
 * answer the push only once the relay has finished, so the client learns whether its result got through.
 */
import { headersFromLines, parseScrapeResponse, type ScrapeResponseHead, WireError } from "../wire/mod.ts";
import type { Coordinator } from "./coordinator.ts";
import { HttpError } from "./http_error.ts";
import type { Clock } from "../time/clock.ts";

/** Headers that belong to the push exchange, or to framing we redo: never shown to the scraper. */
const NOT_RELAYED = [
  "id",
  "x-prometheus-scrape-timeout-seconds",
  "x-prometheus-scrape-timeout",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
];

/**
 * Until the pushed head (and with it the Id) has arrived, no scrape deadline covers the push; this bound
 * keeps a stalled sender from holding a connection for ever. Once the head is in, the scrape's own deadline
 * bounds the body.
 */
export const PUSH_HEAD_STALL_MS = 10_000;

export interface PushLimits {
  readonly maxHeaderBytes: number;
  /** 0 = unlimited. */
  readonly maxBodyBytes: number;
  /** How long the pushed head may take to arrive (default {@link PUSH_HEAD_STALL_MS}). */
  readonly headStallMs?: number;
  readonly timers: Clock;
}

export async function handlePush(
  request: Request,
  coordinator: Coordinator,
  limits: PushLimits,
): Promise<Response> {
  if (request.body === null) {
    throw new HttpError(400, "push has no body: expected a serialized HTTP response");
  }
  const stallMs = limits.headStallMs ?? PUSH_HEAD_STALL_MS;
  const stalled = new AbortController();
  const timer = limits.timers.setTimeout(() => stalled.abort(), stallMs);
  let parsed;
  try {
    parsed = await parseScrapeResponse(request.body, {
      maxHeaderBytes: limits.maxHeaderBytes,
      maxBodyBytes: limits.maxBodyBytes > 0 ? limits.maxBodyBytes : undefined,
    }, stalled.signal);
  } catch (error) {
    if (stalled.signal.aborted) {
      throw new HttpError(408, `pushed response head did not arrive within ${stallMs / 1000}s`);
    }
    throw asHttpError(error);
  } finally {
    limits.timers.clearTimeout(timer);
  }
  const { head, body } = parsed;
  if (head.id === null || head.id === "") {
    body.cancel().catch(() => {});
    throw new HttpError(400, "push has no Id header: cannot tell which scrape it answers");
  }
  const scrape = coordinator.claim(head.id);
  if (scrape === undefined) {
    body.cancel().catch(() => {});
    throw new HttpError(
      404,
      `no scrape is waiting for id ${JSON.stringify(head.id.slice(0, 64))}: unknown, or its timeout passed`,
    );
  }
  if (head.status < 200 || head.status > 599) {
    body.cancel().catch(() => {});
    scrape.fail(
      new HttpError(
        502,
        `client for "${scrape.fqdn}" pushed an unusable status ${head.status} for ${scrape.url}`,
      ),
    );
    throw new HttpError(400, `pushed status ${head.status} cannot be relayed to a scraper`);
  }
  if (limits.maxBodyBytes > 0 && head.contentLength !== null && head.contentLength > limits.maxBodyBytes) {
    body.cancel().catch(() => {});
    const message =
      `scrape result of ${head.contentLength} bytes exceeds --scrape.max-body-size (${limits.maxBodyBytes} bytes)`;
    scrape.fail(new HttpError(502, `${message} (${scrape.url})`));
    throw new HttpError(413, message);
  }
  const failure = await scrape.relay(
    { status: head.status, statusText: head.statusText, headers: relayedHeaders(head) },
    body,
  );
  if (failure !== null) throw asHttpError(failure);
  return new Response(null, { status: 200 });
}

function relayedHeaders(head: ScrapeResponseHead): Headers {
  const omit = head.framing === "content-length" ? NOT_RELAYED : [...NOT_RELAYED, "content-length"];
  return headersFromLines(head.headers, omit);
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof WireError) {
    return new HttpError(error.reason === "too_large" ? 413 : 400, `malformed push: ${error.message}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(502, `push not relayed: ${message}`, { cause: error });
}
