/**
 * The client's three counters, under upstream's names so existing dashboards and alerts keep working; a
 * client polling several proxies counts per proxy, with a `proxy` label.
 */
import type { Registry } from "../metrics/registry.ts";

/** The one operation the agent needs from a counter. */
export interface CounterLike {
  inc(): void;
}

/** Counters the agent bumps; see upstream-pushprox.md for the names. */
export interface ClientMetrics {
  /** A poll that failed: network error, unexpected status, unreadable body. */
  readonly pollErrors: CounterLike;
  /** A scrape that could not be done: target down, timeout, too large, wrong host. */
  readonly scrapeErrors: CounterLike;
  /** A push the proxy did not accept, or that broke on the way. */
  readonly pushErrors: CounterLike;
}

/** Upstream's name and help text for each counter. */
const COUNTERS: Readonly<Record<keyof ClientMetrics, { readonly name: string; readonly help: string }>> = {
  pollErrors: { name: "pushprox_client_poll_errors_total", help: "Number of poll errors" },
  scrapeErrors: { name: "pushprox_client_scrape_errors_total", help: "Number of scrape errors" },
  pushErrors: { name: "pushprox_client_push_errors_total", help: "Number of push errors" },
};

/**
 * Registers the client counters on `registry`.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const metrics = createClientMetrics(registry);
 * metrics.pollErrors.inc();
 * ```
 */
export function createClientMetrics(registry: Registry): ClientMetrics {
  return {
    pollErrors: registry.counter(COUNTERS.pollErrors),
    scrapeErrors: registry.counter(COUNTERS.scrapeErrors),
    pushErrors: registry.counter(COUNTERS.pushErrors),
  };
}

/**
 * Registers the client counters for each proxy the client polls and returns them in the order given.
 * With several proxies every series carries a `proxy` label (the URL as logs show it, without user info),
 * each present at 0 from the start. With one proxy there is no label: the page reads exactly as it did
 * before several proxies were possible, and as upstream's does, so dashboards and alerts keep working.
 *
 * @example
 * ```ts
 * const [a, b] = createClientMetricsPerProxy(registry, ["http://proxy-a:8080/", "http://proxy-b:8080/"]);
 * a.pollErrors.inc(); // pushprox_client_poll_errors_total{proxy="http://proxy-a:8080/"} 1
 * ```
 */
export function createClientMetricsPerProxy(registry: Registry, proxies: readonly string[]): ClientMetrics[] {
  if (proxies.length === 1) return [createClientMetrics(registry)];
  const counter = (key: keyof ClientMetrics) => registry.counter({ ...COUNTERS[key], labelNames: ["proxy"] });
  const counters = {
    pollErrors: counter("pollErrors"),
    scrapeErrors: counter("scrapeErrors"),
    pushErrors: counter("pushErrors"),
  };
  return proxies.map((proxy) => {
    const labels = { proxy };
    const bound = (key: keyof ClientMetrics): CounterLike => {
      counters[key].inc(labels, 0);
      return { inc: () => counters[key].inc(labels) };
    };
    return {
      pollErrors: bound("pollErrors"),
      scrapeErrors: bound("scrapeErrors"),
      pushErrors: bound("pushErrors"),
    };
  });
}
