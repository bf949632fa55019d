/**
 * The proxy's status as data: who it is (version, runtime, uptime, settings) and every known client with
 * what it announced and how its scrapes went. `/status.json` serves it as is; the status page renders it.
 * @module
 */
import type { ClientView } from "../coordinator.ts";

/** Facts about this proxy, fixed at start except `name`. */
export interface ProxyAbout {
  readonly version: string;
  /** The runtime and its version, e.g. `bun 1.4.5`. */
  readonly runtime: string;
  /** Wall-clock milliseconds when the proxy started. */
  readonly startedAt: number;
  /**
   * This proxy as `host:port` (`__meta_pushprox_proxy` in `/clients`): its listen address, with the host's
   * FQDN filled in once known when it listens on all interfaces.
   */
  name: string;
  /** The settings that shape its behaviour, flag name and value as given (`scrape.max-timeout`, `5m`). */
  readonly settings: readonly (readonly [string, string])[];
}

/** One client in the report. */
export interface ClientReport {
  readonly fqdn: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Our client's version, "" for clients that do not say (upstream's). */
  readonly version: string;
  /** Polls waiting at the proxy right now. */
  readonly pollers: number;
  readonly last_poll: string;
  readonly scrapes_succeeded: number;
  readonly scrapes_failed: number;
  /** The latest finished scrape failed. */
  readonly failing: boolean;
  readonly last_error: string | null;
  readonly last_error_time: string | null;
}

/** The whole report (`/status.json`). */
export interface StatusReport {
  readonly proxy: {
    readonly version: string;
    readonly runtime: string;
    readonly name: string;
    readonly started: string;
    readonly uptime_seconds: number;
    readonly settings: Readonly<Record<string, string>>;
  };
  readonly summary: {
    readonly clients: number;
    readonly failing: number;
    readonly pollers: number;
    readonly scrapes_succeeded: number;
    readonly scrapes_failed: number;
  };
  readonly clients: readonly ClientReport[];
  /** When the report was made. */
  readonly time: string;
}

/**
 * Builds the report from the coordinator's clients at wall-clock time `now`.
 *
 * @example
 * ```ts
 * const report = statusReport(about, coordinator.clients(), Date.now());
 * ```
 */
export function statusReport(about: ProxyAbout, clients: readonly ClientView[], now: number): StatusReport {
  let failing = 0;
  let pollers = 0;
  let succeeded = 0;
  let failed = 0;
  const rows = clients.map(({ fqdn, pollers: waiting, stats }): ClientReport => {
    if (stats.failing) failing++;
    pollers += waiting;
    succeeded += stats.succeeded;
    failed += stats.failed;
    return {
      fqdn,
      labels: Object.fromEntries(stats.labels),
      version: stats.version,
      pollers: waiting,
      last_poll: isoTime(stats.lastPollAt),
      scrapes_succeeded: stats.succeeded,
      scrapes_failed: stats.failed,
      failing: stats.failing,
      last_error: stats.lastError,
      last_error_time: stats.lastErrorAt === null ? null : isoTime(stats.lastErrorAt),
    };
  });
  return {
    proxy: {
      version: about.version,
      runtime: about.runtime,
      name: about.name,
      started: isoTime(about.startedAt),
      uptime_seconds: Math.max(0, Math.floor((now - about.startedAt) / 1000)),
      settings: Object.fromEntries(about.settings),
    },
    summary: { clients: rows.length, failing, pollers, scrapes_succeeded: succeeded, scrapes_failed: failed },
    clients: rows,
    time: isoTime(now),
  };
}

/** RFC 3339 in UTC, to the second: what Prometheus' own pages and APIs show. */
export function isoTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
