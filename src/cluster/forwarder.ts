/**
 * Forwarding a scrape to the proxy that holds its client. The owner is itself an HTTP proxy, so the scrape
 * goes to it exactly as Prometheus sent it to us: an absolute-form request, with the scrape timeout and a
 * hop marker naming us (a proxy never forwards a marked scrape again, so a stale registry cannot make a
 * loop). The answer comes back unchanged, body streamed, through the raw HTTP client, which never decodes
 * a gzip body the way fetch would.
 * @module
 */
import type { RawFetch } from "../runtime/types.ts";
import type { Clock } from "../time/clock.ts";
import { ScrapeError } from "../proxy/scrape_outcome.ts";

/** Marks a forwarded scrape; its value is the advertise URL of the proxy that forwarded it. */
export const HOP_HEADER = "PushProx-Cluster-Hop";
/** Set by an owner that no longer holds the scrape's client, so the forwarder forgets the stale route. */
export const MISS_HEADER = "PushProx-Cluster-Miss";
export const TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";

/**
 * Headers of one connection, never passed from one hop to the next (a push handed on drops these too);
 * Host is rebuilt from the scrape's URL by the client.
 */
export const CONNECTION_HEADERS: readonly string[] = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
];
/** A forwarded scrape also drops what was meant for us, the proxy Prometheus talks to. */
const HOP_BY_HOP = [...CONNECTION_HEADERS, "proxy-authorization"];
const RESPONSE_HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding"];

/** The owner could not be reached at all (refused, reset, unresolvable): try the next, or fail at once. */
export class OwnerUnreachable extends Error {
  constructor(owner: string, cause: unknown) {
    super(`proxy ${owner} is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "OwnerUnreachable";
  }
}

export interface ForwardOptions {
  readonly fetch: RawFetch;
  readonly timers: Clock;
  /** Our advertise URL, the hop marker's value. */
  readonly self: string;
}

/**
 * Sends `request` (an absolute-form scrape) through `owner` and resolves with its answer, or rejects with
 * OwnerUnreachable (nothing was answered), or HttpError 504 (timeout) / 499 (the scraper left).
 */
export async function forwardScrape(
  request: Request,
  owner: string,
  timeoutMs: number,
  options: ForwardOptions,
): Promise<Response> {
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  headers.set(TIMEOUT_HEADER, String(Math.round(timeoutMs) / 1000));
  headers.set(HOP_HEADER, options.self);

  const abort = new AbortController();
  const timedOut = new ScrapeError(
    504,
    "timeout",
    `scrape of ${request.url} timed out after ${timeoutMs / 1000}s waiting for proxy ${owner}`,
    { reason: `no answer from proxy ${new URL(owner).host} within ${timeoutMs / 1000}s` },
  );
  const left = new ScrapeError(499, "scraper_gone", "scraper went away", { reason: "scraper went away" });
  const onLeave = () => abort.abort(left);
  request.signal.addEventListener("abort", onLeave, { once: true });
  const timer = options.timers.setTimeout(() => abort.abort(timedOut), timeoutMs);
  const done = () => {
    options.timers.clearTimeout(timer);
    request.signal.removeEventListener("abort", onLeave);
  };

  let response: Response;
  try {
    response = await options.fetch(request.url, {
      method: request.method,
      headers,
      signal: abort.signal,
      proxy: owner,
    });
  } catch (error) {
    done();
    if (abort.signal.aborted) throw abort.signal.reason;
    throw new OwnerUnreachable(owner, error);
  }
  const answerHeaders = new Headers(response.headers);
  for (const name of RESPONSE_HOP_BY_HOP) answerHeaders.delete(name);
  if (response.body === null) done();
  return new Response(response.body === null ? null : untilDone(response.body, done), {
    status: response.status,
    statusText: response.statusText,
    headers: answerHeaders,
  });
}

/** `body`, calling `done` once it ends, fails or is cancelled (so the deadline timer goes with it). */
function untilDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          controller.close();
          done();
        } else {
          controller.enqueue(next.value);
        }
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
