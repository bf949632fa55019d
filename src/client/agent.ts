/**
 * The client's work: one poll loop per `--proxy-url`, all at once. The loops share nothing but the HTTP
 * clients and the shutdown signal, so a proxy that is down, slow or refusing only ever holds up its own
 * loop: scrapes through the others go on as if it did not exist. That is what lets several proxies serve
 * the same hosts without any state shared between them.
 */
import type { ClientMetrics } from "./client_metrics.ts";
import { type PollLoopOptions, runPollLoop } from "./poll_loop.ts";

/** One proxy the client polls, and the counters for what happens with it. */
export interface ProxyLink {
  /** Base URL of the proxy, ending in "/". */
  readonly url: string;
  readonly metrics: ClientMetrics;
}

/** What the whole client needs: what every poll loop shares, and the proxies. */
export interface AgentOptions extends Omit<PollLoopOptions, "proxyUrl" | "metrics"> {
  /** At least one; each gets its own poll loop, backoff and pushes. */
  readonly proxies: readonly ProxyLink[];
}

/**
 * Polls every proxy until `signal` aborts; resolves once every loop and its scrapes have stopped. Should
 * a loop ever fail (a bug: loops handle every network and protocol error themselves), the others are
 * stopped too and the failure is thrown, so the client never runs on with part of its proxies silently.
 *
 * @example
 * ```ts
 * const shutdown = new AbortController();
 * runtime.onShutdownSignal(() => shutdown.abort());
 * await runAgent({ proxies: [{ url: "http://proxy-a:8080/", metrics: a }, { url: "http://proxy-b:8080/", metrics: b }],
 *   fqdn, proxyFetch, targetFetch, clock: systemClock, random: Math.random, logger,
 *   retryInitialWaitMs: 1000, retryMaxWaitMs: 5000, maxBodyBytes: 0 }, shutdown.signal);
 * ```
 * @throws {RangeError} when `proxies` is empty.
 */
export async function runAgent(options: AgentOptions, signal: AbortSignal): Promise<void> {
  const { proxies, ...shared } = options;
  if (proxies.length === 0) throw new RangeError("Cannot run the client: no proxy to poll");
  const stop = new AbortController();
  const onShutdown = () => stop.abort(signal.reason);
  if (signal.aborted) onShutdown();
  else signal.addEventListener("abort", onShutdown, { once: true });
  const loops = proxies.map((proxy) =>
    runPollLoop({ ...shared, proxyUrl: proxy.url, metrics: proxy.metrics }, stop.signal).catch((error) => {
      stop.abort(error);
      throw error;
    })
  );
  const results = await Promise.allSettled(loops);
  signal.removeEventListener("abort", onShutdown);
  const failed = results.find((result) => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
