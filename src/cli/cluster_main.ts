/**
 * Joining a cluster from the proxy's entry logic. The cluster code and the Redis client are imported here,
 * dynamically, so a proxy started without `--cluster.redis-url` never loads either.
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import type { Logger } from "../log/logger.ts";
import type { Registry } from "../metrics/registry.ts";
import type { Coordinator } from "../proxy/coordinator.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { ClusterConfig } from "./cluster_flags.ts";
import { systemClock } from "../time/clock.ts";
import type { ProxyAbout } from "../proxy/status/report.ts";
import { discoveryTargets } from "../proxy/status/discovery.ts";

/** Longest wait for one Redis command, and for a connection attempt. */
const REDIS_COMMAND_TIMEOUT_MS = 2000;
/** Longest pause between attempts to reconnect to Redis. */
const REDIS_MAX_RECONNECT_DELAY_MS = 2000;

export interface JoinParts {
  readonly runtime: Runtime;
  /** Who this proxy is: its name goes into the labels other proxies list for its clients. */
  readonly about: ProxyAbout;
  readonly coordinator: Coordinator;
  readonly registry: Registry;
  readonly logger: Logger;
}

/** Joins the cluster `config` names; Redis is connected in the background (an outage is not fatal). */
export async function joinCluster(config: ClusterConfig, parts: JoinParts): Promise<Cluster> {
  const [{ Cluster }, { openRedisStore }, { registerClusterMetrics }] = await Promise.all([
    import("../cluster/cluster.ts"),
    import("../cluster/redis_store.ts"),
    import("../cluster/metrics.ts"),
  ]);
  const { coordinator, logger } = parts;
  const cluster = await Cluster.join({
    advertiseUrl: config.advertiseUrl,
    ttlMs: config.ttlMs,
    openStore: (events) =>
      openRedisStore({
        url: config.redisUrl,
        commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
        maxReconnectDelayMs: REDIS_MAX_RECONNECT_DELAY_MS,
      }, events),
    fetch: parts.runtime.httpClient(),
    timers: systemClock,
    logger,
    metrics: registerClusterMetrics(parts.registry),
    local: {
      fqdns: () => coordinator.fqdns(),
      has: (fqdn) => coordinator.has(fqdn),
      describe: (fqdns) => {
        const wanted = new Set(fqdns);
        const groups = discoveryTargets(
          coordinator.clients().filter((c) => wanted.has(c.fqdn)),
          parts.about.name,
        );
        const labels = new Map(groups.map((group) => [group.targets[0], JSON.stringify(group.labels)]));
        return fqdns.map((fqdn) => ({ fqdn, labels: labels.get(fqdn) ?? "{}" }));
      },
    },
  });
  coordinator.watch(cluster);
  logger.info("Joining cluster", { redis: redactedUrl(config.redisUrl), advertise: config.advertiseUrl });
  return cluster;
}

/** The Redis URL without its password, for logs. */
export function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== "") url.password = "xxxxx";
  return url.href;
}
