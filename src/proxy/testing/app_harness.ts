/**
 * A proxy app wired as `proxy_main.ts` wires it (coordinator, metrics, Hono app), driven through its
 * handler without sockets: what the app's unit tests and the status-page benchmark share.
 * @module
 */
import { createProxyApp, type ProxyAppOptions } from "../app.ts";
import { Coordinator, type CoordinatorOptions } from "../coordinator.ts";
import { registerProxyMetrics } from "../metrics.ts";
import { systemClock } from "../../time/clock.ts";
import { Registry } from "../../metrics/registry.ts";
import { silentLogger } from "../../log/logger.ts";

/** What a test may change; everything else is the proxy's default. */
export type AppOverrides =
  & Partial<Omit<ProxyAppOptions, "coordinator" | "registry" | "metrics">>
  & Pick<Partial<CoordinatorOptions>, "wallClock">;

/** A proxy app and the ways a test talks to it. */
export interface AppHarness {
  readonly coordinator: Coordinator;
  readonly handler: ReturnType<typeof createProxyApp>;
  /** A request for the proxy's own endpoints (origin form), e.g. `direct("/metrics")`. */
  direct(path: string, init?: RequestInit): Promise<Response>;
  /** A scrape as Prometheus sends it through `proxy_url` (absolute form). */
  proxied(url: string, init?: RequestInit): Promise<Response>;
  /** Ends every held poll and the coordinator's timers. */
  close(): void;
}

/**
 * Builds a proxy app with the proxy's default settings and `overrides`.
 *
 * @example
 * ```ts
 * const app = proxyAppHarness({ pollIdleTimeoutMs: 50 });
 * const answer = await app.direct("/poll", { method: "POST", body: "host1" });
 * app.close();
 * ```
 */
export function proxyAppHarness(overrides: AppOverrides = {}): AppHarness {
  const coordinator = new Coordinator({
    timers: overrides.timers ?? systemClock,
    newId: () => crypto.randomUUID(),
    registrationTimeoutMs: 300_000,
    disconnectGraceMs: 1000,
    wallClock: overrides.wallClock,
  });
  const registry = new Registry();
  const handler = createProxyApp({
    coordinator,
    registry,
    metrics: registerProxyMetrics(registry, coordinator),
    logger: silentLogger(),
    timers: systemClock,
    scrapeDefaultTimeoutMs: 15_000,
    scrapeMaxTimeoutMs: 300_000,
    pollIdleTimeoutMs: 25_000,
    maxBodyBytes: 0,
    maxHeaderBytes: 64 * 1024,
    ...overrides,
  });
  return {
    coordinator,
    handler,
    direct: (path, init) =>
      handler(new Request(`http://proxy.local${path}`, init), {
        absoluteForm: false,
        remoteAddress: "127.0.0.1",
      }),
    proxied: (url, init) =>
      handler(new Request(url, init), { absoluteForm: true, remoteAddress: "127.0.0.1" }),
    close: () => coordinator.close(),
  };
}
