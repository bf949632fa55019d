/**
 * `GET /clients` in Prometheus' HTTP service discovery format: one target group per client, its target
 * the bare FQDN as upstream lists it (a relabel rule adds the port), its labels the client's `--label`s
 * plus `__meta_pushprox_*` labels to relabel on. Prometheus keeps the client's labels on the target and
 * drops the `__meta_` ones after relabelling.
 * @module
 */
import type { ClientView } from "../coordinator.ts";
import { isoTime } from "./report.ts";

/** One target group of the http_sd format. */
export interface TargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The target groups for `clients`, as served on `/clients` by the proxy named `proxy` (`host:port`).
 *
 * @example
 * ```ts
 * JSON.stringify(discoveryTargets(coordinator.clients(), "proxy.example.com:8080"));
 * // [{"targets":["db1.example.com"],"labels":{"team":"db","__meta_pushprox_client_version":"0.1.0",...}}]
 * ```
 */
export function discoveryTargets(clients: readonly ClientView[], proxy: string): TargetGroup[] {
  return clients.map(({ fqdn, pollers, stats }) => ({
    targets: [fqdn],
    labels: {
      // Client labels cannot start with "__" (checked at both ends), so they never clash with these.
      ...Object.fromEntries(stats.labels),
      __meta_pushprox_client_version: stats.version,
      __meta_pushprox_last_poll: isoTime(stats.lastPollAt),
      __meta_pushprox_pollers: String(pollers),
      __meta_pushprox_proxy: proxy,
    },
  }));
}
