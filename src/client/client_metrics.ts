/**
 * The client's three counters, under upstream's names so existing dashboards and alerts keep working.
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
    pollErrors: registry.counter({
      name: "pushprox_client_poll_errors_total",
      help: "Number of poll errors",
    }),
    scrapeErrors: registry.counter({
      name: "pushprox_client_scrape_errors_total",
      help: "Number of scrape errors",
    }),
    pushErrors: registry.counter({
      name: "pushprox_client_push_errors_total",
      help: "Number of push errors",
    }),
  };
}
