/** The proxy's own metrics, under upstream's names (including its "pushproxy_" typo) so dashboards keep working. */
import type { Counter, Histogram, Registry } from "../metrics/registry.ts";

export interface ProxyMetrics {
  readonly httpRequests: Counter;
  readonly httpDuration: Histogram;
  readonly proxiedRequests: Counter;
}

export function registerProxyMetrics(registry: Registry, clientCount: () => number): ProxyMetrics {
  registry.gauge({
    name: "pushprox_proxy_clients",
    help: "Number of known PushProx clients.",
    collect: clientCount,
  });
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
  };
}
