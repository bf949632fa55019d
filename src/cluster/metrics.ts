/** The cluster's own metrics (`pushprox_cluster_*`), registered only when the proxy runs in a cluster. */
import type { Counter, Gauge, Registry } from "../metrics/registry.ts";

export interface ClusterMetrics {
  /** 1 while Redis answers and change announcements arrive, else 0. */
  readonly redisUp: Gauge;
  /** Times the connection to Redis was lost. */
  readonly redisDisconnects: Counter;
  /** Registry writes (claims, releases, refreshes, announcements) that failed. */
  readonly registryErrors: Counter;
  /** Route lookups for scrapes with no local client, by whether the cache answered. */
  readonly lookups: Counter;
  /** Scrapes with no local client, by what became of them. */
  readonly forwards: Counter;
}

/** Forward outcomes, the `outcome` label of `pushprox_cluster_forwarded_scrapes_total`. */
export type ForwardOutcome =
  | "forwarded"
  | "no_owner"
  | "owner_unreachable"
  | "registry_unreachable"
  | "timeout"
  | "loop";

export function registerClusterMetrics(registry: Registry): ClusterMetrics {
  const metrics = {
    redisUp: registry.gauge({
      name: "pushprox_cluster_redis_up",
      help: "1 while the cluster's Redis is reachable (commands and change announcements), else 0.",
    }),
    redisDisconnects: registry.counter({
      name: "pushprox_cluster_redis_disconnects_total",
      help: "Times the connection to the cluster's Redis was lost.",
    }),
    registryErrors: registry.counter({
      name: "pushprox_cluster_registry_errors_total",
      help: "Writes to the cluster registry (claims, releases, refreshes) that failed.",
    }),
    lookups: registry.counter({
      name: "pushprox_cluster_lookups_total",
      help: "Route lookups for scrapes without a local client, by result (cache hit, or a Redis round trip).",
      labelNames: ["result"],
    }),
    forwards: registry.counter({
      name: "pushprox_cluster_forwarded_scrapes_total",
      help: "Scrapes without a local client, by outcome (forwarded to the holding proxy, or why not).",
      labelNames: ["outcome"],
    }),
  };
  metrics.redisUp.set(0);
  return metrics;
}
