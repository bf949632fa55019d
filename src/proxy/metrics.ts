/**
 * The proxy's own metrics. Upstream's names stay as they were (including its "pushproxy_" typo) so
 * dashboards keep working; the rest say what an operator alerts on: how scrapes end and how long they
 * take, and how many clients, polls and scrapes the proxy holds.
 */
import type { Counter, Histogram, Registry } from "../metrics/registry.ts";
import { SCRAPE_OUTCOMES } from "./scrape_outcome.ts";

export interface ProxyMetrics {
  readonly httpRequests: Counter;
  readonly httpDuration: Histogram;
  readonly proxiedRequests: Counter;
  /** Scrapes by `outcome` (see scrape_outcome.ts). */
  readonly scrapes: Counter;
  /** From the scrape's arrival until its answer was relayed whole or it failed, by `outcome`. */
  readonly scrapeDuration: Histogram;
}

/** What the gauges read when the proxy's metrics are scraped (the coordinator). */
export interface ProxyState {
  readonly clientCount: number;
  /** Polls refused because --registration.max-clients clients were already known. */
  readonly registrationsRefused: number;
  activity(): { connectedClients: number; waitingPolls: number; pendingScrapes: number };
}

/** Scrapes run from milliseconds up to their timeout: Prometheus' default buckets, then up to a minute. */
const SCRAPE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function registerProxyMetrics(registry: Registry, state: ProxyState): ProxyMetrics {
  registry.gauge({
    name: "pushprox_proxy_clients",
    help: "Number of known PushProx clients.",
    collect: () => state.clientCount,
  });
  registry.counter({
    name: "pushprox_proxy_registrations_refused_total",
    help: "Polls refused with 503 because --registration.max-clients clients were already known.",
    collect: () => state.registrationsRefused,
  });
  registry.gauge({
    name: "pushprox_proxy_connected_clients",
    help: "PushProx clients with a poll waiting or a scrape in progress.",
    collect: () => state.activity().connectedClients,
  });
  registry.gauge({
    name: "pushprox_proxy_waiting_polls",
    help: "Polls held open, waiting for a scrape.",
    collect: () => state.activity().waitingPolls,
  });
  registry.gauge({
    name: "pushprox_proxy_pending_scrapes",
    help: "Scrapes waiting for a poll, taken by a client, or being relayed.",
    collect: () => state.activity().pendingScrapes,
  });
  const scrapes = registry.counter({
    name: "pushprox_proxy_scrapes_total",
    help: "Scrapes through the proxy, by how they ended.",
    labelNames: ["outcome"],
  });
  // Every outcome from the start, so that rate() and ratios work before the first failure.
  for (const outcome of SCRAPE_OUTCOMES) scrapes.inc({ outcome }, 0);
  return {
    httpRequests: registry.counter({
      name: "pushprox_http_requests_total",
      help: "Requests to the proxy's own endpoints, by response code and path.",
      labelNames: ["code", "path"],
    }),
    httpDuration: registry.histogram({
      name: "pushprox_http_duration_seconds",
      help: "Time taken to answer requests to the proxy's own endpoints, by path.",
      labelNames: ["path"],
    }),
    proxiedRequests: registry.counter({
      name: "pushproxy_proxied_requests_total",
      help: "Scrapes proxied to clients, by response code.",
      labelNames: ["code"],
    }),
    scrapes,
    scrapeDuration: registry.histogram({
      name: "pushprox_proxy_scrape_duration_seconds",
      help: "Time from a scrape's arrival until its answer was relayed whole or it failed, by how it ended.",
      labelNames: ["outcome"],
      buckets: SCRAPE_BUCKETS,
    }),
  };
}
