/**
 * This proxy's side of the cluster registry: while it holds a client's polls it keeps `FQDN -> its
 * advertise URL` in the store, refreshed every third of the TTL so a proxy killed outright leaves entries
 * that expire within one TTL, and removed when the client is dropped. Changes are written in batches (a
 * proxy restarting behind a load balancer gains thousands of clients within a second) and announced, so the
 * other proxies' cached routes follow at once.
 *
 * Redis going away must not touch local clients: writes that fail are logged once per state change, and
 * when the store is back everything held is claimed again (the store may have restarted empty).
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { Claim, RouteStore } from "./route_store.ts";
import type { ClusterMetrics } from "./metrics.ts";

/** Claims and releases go to the store in batches of at most this many FQDNs. */
export const BATCH_SIZE = 500;

export interface RegistryOptions {
  readonly advertiseUrl: string;
  readonly ttlMs: number;
  readonly timers: Clock;
  readonly logger: Logger;
  readonly metrics: ClusterMetrics;
  /** The FQDNs this proxy holds right now (the coordinator's clients). */
  readonly localFqdns: () => Iterable<string>;
  /** What this proxy lists on `/clients` for each of `fqdns` (JSON of the http_sd labels). */
  readonly describe: (fqdns: readonly string[]) => Claim[];
}

export class ClusterRegistry {
  readonly #options: RegistryOptions;
  #store: RouteStore | null = null;
  /** Changes not yet written: true = claim, false = release (the last change of an FQDN wins). */
  readonly #pending = new Map<string, boolean>();
  #flushTimer: unknown = undefined;
  #refreshTimer: unknown = undefined;
  #closed = false;
  /** So a failing store is reported once, not on every write. */
  #failing = false;

  constructor(options: RegistryOptions) {
    this.#options = options;
  }

  /** Starts writing to `store` and refreshing every third of the TTL. */
  attach(store: RouteStore): void {
    this.#store = store;
    this.#scheduleRefresh();
    if (store.up) this.resync();
  }

  /** The coordinator gained a client. */
  added(fqdn: string): void {
    this.#change(fqdn, true);
  }

  /** The coordinator dropped a client. */
  dropped(fqdn: string): void {
    this.#change(fqdn, false);
  }

  /** The store is (back) up: claim and announce everything held, since the store may have lost it. */
  resync(): void {
    for (const fqdn of this.#options.localFqdns()) {
      if (!this.#pending.has(fqdn)) this.#pending.set(fqdn, true);
    }
    this.#scheduleFlush();
  }

  /** Writes what is pending now (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.#flushTimer !== undefined) this.#options.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const store = this.#store;
    if (store === null || this.#pending.size === 0) return;
    const claims: string[] = [];
    const releases: string[] = [];
    for (const [fqdn, claim] of this.#pending) (claim ? claims : releases).push(fqdn);
    this.#pending.clear();
    const { advertiseUrl, ttlMs } = this.#options;
    await this.#write("claim", async () => {
      for (const batch of batches(claims)) {
        await store.claim(this.#options.describe(batch), advertiseUrl, ttlMs);
      }
      for (const batch of batches(releases)) await store.release(batch, advertiseUrl);
      for (const batch of batches([...claims, ...releases])) await store.announce(batch);
    });
  }

  /** Stops the timers and removes this proxy's entries (best effort: they expire anyway). */
  async close(): Promise<void> {
    this.#closed = true;
    const timers = this.#options.timers;
    if (this.#flushTimer !== undefined) timers.clearTimeout(this.#flushTimer);
    if (this.#refreshTimer !== undefined) timers.clearTimeout(this.#refreshTimer);
    this.#flushTimer = this.#refreshTimer = undefined;
    const store = this.#store;
    if (store === null || !store.up) return;
    for (const fqdn of this.#options.localFqdns()) this.#pending.set(fqdn, false);
    const releases = [...this.#pending].filter(([, claim]) => !claim).map(([fqdn]) => fqdn);
    this.#pending.clear();
    await this.#write("release", async () => {
      for (const batch of batches(releases)) await store.release(batch, this.#options.advertiseUrl);
      for (const batch of batches(releases)) await store.announce(batch);
    });
  }

  #change(fqdn: string, claim: boolean): void {
    if (this.#closed) return;
    this.#pending.set(fqdn, claim);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed || this.#store === null) return;
    // A zero delay gathers every change of this turn of the event loop into one batch.
    this.#flushTimer = this.#options.timers.setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush().catch(() => {});
    }, 0);
  }

  #scheduleRefresh(): void {
    if (this.#closed) return;
    this.#refreshTimer = this.#options.timers.setTimeout(async () => {
      this.#refreshTimer = undefined;
      const store = this.#store;
      if (store !== null && store.up) {
        const held = [...this.#options.localFqdns()];
        const { advertiseUrl, ttlMs } = this.#options;
        await this.#write("refresh", async () => {
          for (const batch of batches(held)) {
            await store.claim(this.#options.describe(batch), advertiseUrl, ttlMs);
          }
        });
      }
      this.#scheduleRefresh();
    }, this.#options.ttlMs / 3);
  }

  async #write(what: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
      this.#failing = false;
    } catch (error) {
      this.#options.metrics.registryErrors.inc();
      // The store's own up/down events carry the outage; this only says which write it cost, once.
      if (!this.#failing) {
        this.#options.logger.warn("Cluster registry write failed; retried when Redis is back", {
          write: what,
          err: error instanceof Error ? error : new Error(String(error)),
        });
      }
      this.#failing = true;
    }
  }
}

function* batches(items: readonly string[]): Generator<string[]> {
  for (let start = 0; start < items.length; start += BATCH_SIZE) yield items.slice(start, start + BATCH_SIZE);
}
