/**
 * `POST /push`: a client hands back a scrape result, serialized as an HTTP response. The head is parsed as it
 * arrives, the waiting scrape is found by its `Id`, and the body streams straight through to the scraper; we
 * answer the push only once the relay has finished, so the client learns whether its result got through.
 * A small push that declares its length (nearly every one) is read whole instead, handed over as bytes and
 * answered at once, as upstream does: a stream per layer cost more than the scrape it carried, and with
 * the whole body in hand a broken one fails its scrape with a 502 before anything reaches the scraper.
 * Chunked pushes still go through the streaming parser, whose trailer rules they are held to.
 */
import {
  headersFromLines,
  parseBufferedScrapeResponse,
  parseScrapeResponse,
  type ScrapeResponseHead,
  WireError,
} from "../wire/mod.ts";
import type { Coordinator } from "./coordinator.ts";
import { HttpError } from "./http_error.ts";
import { ScrapeError } from "./scrape_outcome.ts";
import { goClientErrorPhrase } from "./go_client_error.ts";
import { readSmallBody } from "./read_body.ts";
import { headerContentLength } from "../wire/framing.ts";
import type { Clock } from "../time/clock.ts";
import { type PushFallback, routePush } from "./push_route.ts";
import { AccessDenied, ANYONE, type ClientPrincipal } from "./auth/access.ts";

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

/**
 * Pushes that declare at most this many bytes are read whole: 64 KiB is about a node exporter with gzip.
 * Not more: a larger body reaches the handler as a stream anyway (the Bun server takes only 16 KiB whole),
 * and reading 100 KiB pushes whole measured about half as costly again as relaying them piece by piece.
 */
export const WHOLE_PUSH_BYTES = 64 * 1024;

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
  fallback?: PushFallback,
  principal: ClientPrincipal = ANYONE,
): Promise<Response> {
  if (fallback !== undefined) {
    const routed = await routePush(
      request,
      (id) => coordinator.isWaiting(id),
      fallback,
      limits.maxHeaderBytes,
    );
    if (routed instanceof Response) return routed;
    request = routed;
  }
  if (request.body === null) {
    throw new HttpError(400, "push has no body: expected a serialized HTTP response");
  }
  const length = headerContentLength(request.headers);
  const { head, body, bodyError } = length !== null && length <= WHOLE_PUSH_BYTES
    ? await readWholePush(request, limits)
    : await readStreamingPush(request.body, limits);
  const discard = () => {
    if (body instanceof ReadableStream) body.cancel().catch(() => {});
  };
  if (head.id === null || head.id === "") {
    discard();
    throw new HttpError(400, "push has no Id header: cannot tell which scrape it answers");
  }
  let scrape;
  try {
    scrape = coordinator.claim(head.id, principal.id);
  } catch (error) {
    // Someone else's scrape: refused without touching it, so its rightful push still gets through.
    discard();
    if (!(error instanceof HttpError) || error.status !== 403) throw error;
    throw new AccessDenied(403, `${principal.label} pushed for ${error.message}`, principal.label);
  }
  if (scrape === undefined) {
    discard();
    throw new HttpError(
      404,
      `no scrape is waiting for id ${JSON.stringify(head.id.slice(0, 64))}: unknown, or its timeout passed`,
    );
  }
  if (head.status < 200 || head.status > 599) {
    discard();
    scrape.fail(
      new ScrapeError(
        502,
        "broken_push",
        `client for "${scrape.fqdn}" pushed an unusable status ${head.status} for ${scrape.url}`,
        { reason: `client pushed unusable status ${head.status}` },
      ),
    );
    throw new HttpError(400, `pushed status ${head.status} cannot be relayed to a scraper`);
  }
  if (limits.maxBodyBytes > 0 && head.contentLength !== null && head.contentLength > limits.maxBodyBytes) {
    discard();
    const message =
      `scrape result of ${head.contentLength} bytes exceeds --scrape.max-body-size (${limits.maxBodyBytes} bytes)`;
    scrape.fail(
      new ScrapeError(502, "broken_push", `${message} (${scrape.url})`, {
        reason: `scrape result too large: ${head.contentLength} bytes, limit ${limits.maxBodyBytes}`,
      }),
    );
    throw new HttpError(413, message);
  }
  if (bodyError !== null) {
    // Known before a byte was relayed, so the scraper gets a clean 502 rather than a cut-off body.
    discard();
    const error = asHttpError(bodyError);
    scrape.fail(
      new ScrapeError(
        502,
        "broken_push",
        `client for "${scrape.fqdn}" pushed a broken result: ${error.message}`,
        {
          reason: `client pushed a broken result: ${bodyError.message}`,
        },
      ),
    );
    throw error;
  }
  const failure = await scrape.relay(
    { status: head.status, statusText: relayedReason(head, body), headers: relayedHeaders(head) },
    body,
  );
  if (failure !== null) throw asHttpError(failure);
  return new Response(null, { status: 200 });
}

/** A push as the handler needs it: its body still streaming in, or already whole in memory. */
interface Push {
  readonly head: ScrapeResponseHead;
  readonly body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>;
  /** What is wrong with a whole body (a streaming body errors as it is read instead). */
  readonly bodyError: WireError | null;
}

async function readWholePush(request: Request, limits: PushLimits): Promise<Push> {
  const bytes = await readSmallBody(
    request,
    WHOLE_PUSH_BYTES,
    limits.headStallMs ?? PUSH_HEAD_STALL_MS,
    limits.timers,
  );
  let parsed;
  try {
    parsed = parseBufferedScrapeResponse(bytes, wireLimits(limits));
  } catch (error) {
    throw asHttpError(error);
  }
  // A chunked body (upstream's client frames larger results so) is decoded by the streaming parser.
  return parsed ?? await readStreamingPush(new Blob([bytes]).stream(), limits);
}

async function readStreamingPush(body: ReadableStream<Uint8Array>, limits: PushLimits): Promise<Push> {
  const stallMs = limits.headStallMs ?? PUSH_HEAD_STALL_MS;
  const stalled = new AbortController();
  const timer = limits.timers.setTimeout(() => stalled.abort(), stallMs);
  try {
    const parsed = await parseScrapeResponse(body, wireLimits(limits), stalled.signal);
    return { head: parsed.head, body: parsed.body, bodyError: parsed.headError };
  } catch (error) {
    if (stalled.signal.aborted) {
      throw new HttpError(408, `pushed response head did not arrive within ${stallMs / 1000}s`);
    }
    throw asHttpError(error);
  } finally {
    limits.timers.clearTimeout(timer);
  }
}

function wireLimits(limits: PushLimits) {
  return {
    maxHeaderBytes: limits.maxHeaderBytes,
    maxBodyBytes: limits.maxBodyBytes > 0 ? limits.maxBodyBytes : undefined,
  };
}

/**
 * The reason phrase the scraper sees. Upstream's Go client pushes a failed scrape as `HTTP/0.0 500
 * Internal Server Error` with the error text as the body; for those the phrase is made from that text, so
 * the cause reaches Prometheus with Go clients too. Every other pushed phrase is passed on.
 */
function relayedReason(head: ScrapeResponseHead, body: ReadableStream<Uint8Array> | Uint8Array): string {
  if (head.proto === "HTTP/0.0" && head.status === 500 && body instanceof Uint8Array) {
    return goClientErrorPhrase(new TextDecoder().decode(body)) ?? head.statusText;
  }
  return head.statusText;
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
