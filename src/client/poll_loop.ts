/**
 * The poll loop for one proxy: ask it for work, start each scrape without waiting for it, ask again.
 * Polls that fail back off; successful ones (including an idle 204) poll again at once. A client polling
 * several proxies runs one loop per proxy (agent.ts), each with its own backoff and its own pushes.
 */
import type { Logger } from "../log/logger.ts";
import type { RawFetch } from "../runtime/types.ts";
import type { ScrapeRequest } from "../wire/types.ts";
import { parseScrapeRequest } from "../wire/mod.ts";
import { createBackoff } from "./backoff.ts";
import { readExcerpt, readResponseCapped } from "./body_limits.ts";
import type { ClientMetrics } from "./client_metrics.ts";
import { type Clock, sleep } from "../time/clock.ts";
import { describeError } from "./describe_error.ts";
import { refuseAtShutdown, scrapeAndPush } from "./scrape.ts";
import type { ScrapeRules } from "./scrape_rules.ts";
import { displayProxyUrl } from "./proxy_url.ts";
import { CLIENT_USER_AGENT } from "../wire/client_version.ts";
import { encodeLabels, type Labels, LABELS_HEADER } from "../wire/client_labels.ts";

/** A serialized scrape request is a request head; 1 MiB is far above any real one. */
export const MAX_POLL_BODY_BYTES = 1024 * 1024;

/** Everything one proxy's poll loop needs, all injected. */
export interface PollLoopOptions {
  /** Base URL of the proxy, ending in "/"; any user info in it is left out of every log line. */
  readonly proxyUrl: string;
  readonly fqdn: string;
  /** Talks to the proxy (with the client's TLS settings). */
  readonly proxyFetch: RawFetch;
  /** Talks to the local targets. */
  readonly targetFetch: RawFetch;
  /** What scrapes may reach (`--allow-port`, `--allow-method`, `--use-localhost`); defaults when absent. */
  readonly rules?: ScrapeRules;
  readonly clock: Clock;
  /** Uniform random number in [0, 1), for backoff jitter. */
  readonly random: () => number;
  /** Every line this loop and its scrapes write carries `proxy` (the URL without user info). */
  readonly logger: Logger;
  /** This proxy's counters. */
  readonly metrics: ClientMetrics;
  readonly retryInitialWaitMs: number;
  readonly retryMaxWaitMs: number;
  /** `--scrape.max-body-size` in bytes; 0 means unlimited. */
  readonly maxBodyBytes: number;
  /** Largest poll response accepted; MAX_POLL_BODY_BYTES unless told otherwise. */
  readonly maxPollBodyBytes?: number;
  /**
   * Headers every poll carries besides the FQDN (see {@linkcode pollAnnouncement}): the client's version
   * and labels, for the proxy's `/clients`. Upstream's proxy reads only the body and ignores them.
   */
  readonly announce?: readonly (readonly [string, string])[];
}

/** The outcome of one poll. */
type PollResult = { readonly kind: "scrape"; readonly request: ScrapeRequest } | { readonly kind: "idle" } | {
  readonly kind: "error";
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
};

/**
 * Polls until `signal` aborts, then resolves once the scrapes in flight have been pushed. A stop (SIGTERM)
 * lets a scrape that is under way finish, within its own timeout, so the Prometheus that asked for it gets
 * its answer rather than an error. Until then the loop keeps a poll open, answering any new scrape at once
 * with a 503 "client shutting down": a proxy counts a client without a poll as gone after a second and
 * would fail the scrape still under way. With nothing in flight, the waiting poll ends at once.
 *
 * @example
 * ```ts
 * const shutdown = new AbortController();
 * runtime.onShutdownSignal(() => shutdown.abort());
 * await runPollLoop({ proxyUrl: "http://proxy:8080/", fqdn, proxyFetch, targetFetch, clock: systemClock,
 *   random: Math.random, logger, metrics, retryInitialWaitMs: 1000, retryMaxWaitMs: 5000, maxBodyBytes: 0 },
 *   shutdown.signal);
 * ```
 */
export async function runPollLoop(options: PollLoopOptions, signal: AbortSignal): Promise<void> {
  const { clock, metrics } = options;
  const logger = options.logger.child({ proxy: displayProxyUrl(options.proxyUrl) });
  const backoff = createBackoff({
    initialMs: options.retryInitialWaitMs,
    maxMs: options.retryMaxWaitMs,
    random: options.random,
  });
  // Each scrape is pushed back to the proxy whose poll delivered it: only that proxy knows its id.
  const scrapeDeps = { ...options, logger, pushUrl: new URL(`${options.proxyUrl}push`) };
  // Parsed and encoded once: the same poll goes out after every scrape.
  const poll = {
    url: new URL(`${options.proxyUrl}poll`),
    body: new TextEncoder().encode(options.fqdn),
    // Our proxy may then end an idle poll with 204 so no load balancer ever sees an idle connection;
    // upstream's proxy ignores the header and simply holds the poll.
    headers: [["PushProx-Accept-Idle", "1"], ...options.announce ?? []] as [string, string][],
  };
  const inFlight = new Set<Promise<void>>();
  // Scrapes are not cut short by a stop: each ends within its own timeout anyway.
  const scrapesGoOn = new AbortController().signal;
  // Ends polling: at the stop when nothing is in flight, else once the last scrape is pushed.
  const polling = new AbortController();
  const stopped = () => {
    if (inFlight.size === 0) polling.abort();
    else logger.info("Finishing scrapes in progress", { scrapes: inFlight.size });
  };
  if (signal.aborted) polling.abort();
  else signal.addEventListener("abort", stopped, { once: true });
  while (!polling.signal.aborted) {
    const result = await pollOnce(options, poll, polling.signal);
    if (polling.signal.aborted) break;
    if (result.kind === "error") {
      metrics.failed("poll");
      const waitMs = backoff.next();
      logger.warn(`Poll failed, retrying in ${(waitMs / 1000).toFixed(1)}s`, {
        err: result.message,
        ...result.fields,
      });
      await sleep(clock, waitMs, polling.signal);
      continue;
    }
    backoff.reset();
    metrics.polled();
    if (result.kind === "idle") {
      logger.debug("Idle poll answered, polling again");
      continue;
    }
    logger.debug("Got scrape request", { scrape_id: result.request.id, url: result.request.url });
    metrics.scrapeTaken();
    const scrape = signal.aborted
      ? refuseAtShutdown(scrapeDeps, result.request)
      : scrapeAndPush(scrapeDeps, result.request, scrapesGoOn);
    inFlight.add(scrape);
    void scrape.finally(() => {
      inFlight.delete(scrape);
      if (signal.aborted && inFlight.size === 0) polling.abort();
    });
  }
  signal.removeEventListener("abort", stopped);
  await Promise.allSettled(inFlight);
}

/**
 * The headers that announce a client to our proxy: a User-Agent naming its version (the proxy lists it as
 * `__meta_pushprox_client_version`) and its `--label`s, if any.
 *
 * @example
 * ```ts
 * pollAnnouncement("0.1.0", new Map([["team", "db"]]));
 * // [["User-Agent", "pushprox-ts-client/0.1.0"], ["PushProx-Labels", "team=db"]]
 * ```
 */
export function pollAnnouncement(version: string, labels: Labels): [string, string][] {
  const headers: [string, string][] = [["User-Agent", `${CLIENT_USER_AGENT}/${version}`]];
  if (labels.size > 0) headers.push([LABELS_HEADER, encodeLabels(labels)]);
  return headers;
}

/** What every poll sends. */
interface PollMessage {
  readonly url: URL;
  /** The FQDN, as upstream's proxy expects it. */
  readonly body: Uint8Array<ArrayBuffer>;
  readonly headers: [string, string][];
}

async function pollOnce(
  options: PollLoopOptions,
  poll: PollMessage,
  signal: AbortSignal,
): Promise<PollResult> {
  let response: Response;
  try {
    // The shutdown signal itself, with no signal per poll: our raw HTTP client (the only RawFetch a
    // client runs with) drops its listener when the exchange ends, so none pile up on it.
    response = await options.proxyFetch(poll.url, {
      method: "POST",
      headers: poll.headers,
      body: poll.body,
      signal,
    });
  } catch (error) {
    return { kind: "error", message: `cannot reach ${displayProxyUrl(poll.url)}: ${describeError(error)}` };
  }
  if (response.status === 204) {
    await response.body?.cancel().catch(() => {});
    return { kind: "idle" };
  }
  if (response.status !== 200) {
    // e.g. upstream's 408 "request is expired" when a second client polls for the same FQDN.
    const excerpt = await readExcerpt(response.body, 200);
    return {
      kind: "error",
      message: `proxy answered the poll with ${response.status}`,
      fields: { status: response.status, body: excerpt },
    };
  }
  try {
    const bytes = await readResponseCapped(
      response,
      options.maxPollBodyBytes ?? MAX_POLL_BODY_BYTES,
      "poll response",
    );
    return { kind: "scrape", request: parseScrapeRequest(bytes) };
  } catch (error) {
    return { kind: "error", message: `bad poll response: ${describeError(error)}` };
  }
}
