/**
 * A proxy's membership in a cluster: the registry that publishes its clients, the cached routes to the
 * other proxies' clients, and the answer to a scrape for an FQDN this proxy does not hold (forward it to
 * a holder, or fail at once naming the FQDN). The proxy core sees it only as a scrape fallback and a
 * client lister; it never sees Redis.
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { RawFetch } from "../runtime/types.ts";
import { HttpError, type HttpErrorOptions } from "../proxy/http_error.ts";
import { ScrapeError } from "../proxy/scrape_outcome.ts";
import type { Claim, OpenRouteStore, RouteStore } from "./route_store.ts";
import type { TargetGroup } from "../proxy/status/discovery.ts";
import { ClusterRegistry } from "./registry.ts";
import { RouteCache } from "./route_cache.ts";
import type { ClusterMetrics, ForwardOutcome } from "./metrics.ts";
import { forwardScrape, HOP_HEADER, MISS_HEADER, OwnerUnreachable } from "./forwarder.ts";
import { issuerTag, tagOfId } from "./scrape_id.ts";
import { forwardPush } from "./push_forwarder.ts";

/** What the cluster needs from the coordinator. */
export interface LocalClients {
  /** The FQDNs held here. */
  fqdns(): Iterable<string>;
  /** True when a client for `fqdn` is held here. */
  has(fqdn: string): boolean;
  /** What `/clients` lists for each of `fqdns` here (labels as JSON), for the other proxies to list. */
  describe(fqdns: readonly string[]): Claim[];
}

export interface ClusterOptions {
  readonly advertiseUrl: string;
  readonly ttlMs: number;
  readonly openStore: OpenRouteStore;
  /** The raw HTTP client forwarded scrapes go through. */
  readonly fetch: RawFetch;
  readonly timers: Clock;
  readonly logger: Logger;
  readonly metrics: ClusterMetrics;
  readonly local: LocalClients;
}

/** A forwarded scrape reached a proxy that no longer holds its client: the answer says so to the forwarder. */
class StaleRouteError extends ScrapeError {
  constructor(message: string, options: HttpErrorOptions) {
    super(503, "no_client", message, options);
  }

  override toResponse(): Response {
    const response = super.toResponse();
    response.headers.set(MISS_HEADER, "1");
    return response;
  }
}

/** The longest a stopping proxy spends removing its entries; they expire within the TTL anyway. */
const LEAVE_TIMEOUT_MS = 1000;

export class Cluster {
  readonly #options: ClusterOptions;
  readonly #registry: ClusterRegistry;
  readonly #routes = new RouteCache();
  readonly #tag: string;
  /** Issuer tag -> advertise URL of the proxies whose pushes came here. */
  readonly #members = new Map<string, string>();
  #store!: RouteStore;

  private constructor(options: ClusterOptions) {
    this.#options = options;
    this.#tag = issuerTag(options.advertiseUrl);
    this.#registry = new ClusterRegistry({
      advertiseUrl: options.advertiseUrl,
      ttlMs: options.ttlMs,
      timers: options.timers,
      logger: options.logger,
      metrics: options.metrics,
      localFqdns: () => options.local.fqdns(),
      describe: (fqdns) => options.local.describe(fqdns),
    });
  }

  /** Joins the cluster; resolves at once even while Redis is unreachable (it is retried in the background). */
  static async join(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    cluster.#store = await options.openStore({
      changed: (fqdns) => cluster.#routes.invalidate(fqdns),
      connection: (up, error) => cluster.#connection(up, error),
    });
    cluster.#registry.attach(cluster.#store);
    if (cluster.#store.up) cluster.#join();
    return cluster;
  }

  /** Headers a scrape must lose before it reaches a client: the hop marker is ours alone. */
  readonly privateHeaders: readonly string[] = [HOP_HEADER];
  /** Marks a forwarded push (never forwarded again). */
  readonly hopHeader: string = HOP_HEADER;

  /** The proxy that issued scrape `id` when it is another one of the cluster, else null. */
  async issuerOf(id: string): Promise<string | null> {
    const tag = tagOfId(id);
    if (tag === null || tag === this.#tag) return null;
    const known = this.#members.get(tag);
    if (known !== undefined) return known;
    if (!this.#store.up) {
      throw new HttpError(
        503,
        `push for scrape ${id} of another proxy, and the cluster registry (Redis) is unreachable`,
      );
    }
    const url = await this.#store.member(tag);
    if (url !== null) this.#members.set(tag, url);
    return url;
  }

  /** Hands a push to the proxy that issued its scrape. */
  forward(request: Request, body: ReadableStream<Uint8Array>, issuer: string): Promise<Response> {
    return forwardPush(request, body, issuer, {
      fetch: this.#options.fetch,
      self: this.#options.advertiseUrl,
    });
  }

  /** The coordinator gained a client. */
  added(fqdn: string): void {
    this.#registry.added(fqdn);
  }

  /** The coordinator dropped a client. */
  dropped(fqdn: string): void {
    this.#registry.dropped(fqdn);
  }

  /**
   * Answers a scrape for `fqdn`, which has no client here: forwarded to a proxy holding it, or an
   * HttpError (503 at once when no proxy holds it or none can be reached, 504 at the timeout).
   */
  async scrape(request: Request, fqdn: string, timeoutMs: number): Promise<Response> {
    const { metrics } = this.#options;
    const count = (outcome: ForwardOutcome) => metrics.forwards.inc({ outcome });
    const from = request.headers.get(HOP_HEADER);
    if (from !== null) {
      count("loop");
      // Our registry entry was stale when that proxy looked it up: tell it to look again next time.
      throw new StaleRouteError(
        `no PushProx client is connected for "${fqdn}" at this proxy (scrape forwarded by ${from})`,
        { reason: `no PushProx client connected for ${fqdn} at its registered proxy` },
      );
    }
    if (!this.#store.up) {
      count("registry_unreachable");
      throw new ScrapeError(
        503,
        "no_client",
        `no PushProx client is connected for "${fqdn}" here, and the cluster registry (Redis) is unreachable`,
        { reason: `cluster registry unreachable: cannot find the proxy of ${fqdn}` },
      );
    }
    let owners = this.#routes.get(fqdn);
    metrics.lookups.inc({ result: owners === undefined ? "miss" : "hit" });
    if (owners === undefined) {
      try {
        owners = await this.#routes.fill(fqdn, (name) => this.#store.owners(name));
      } catch (error) {
        count("registry_unreachable");
        throw new ScrapeError(
          503,
          "no_client",
          `no PushProx client is connected for "${fqdn}" here, and the cluster registry (Redis) failed: ${
            (error as Error).message
          }`,
          { cause: error, reason: `cluster registry failed: cannot find the proxy of ${fqdn}` },
        );
      }
    }
    const remote = owners.filter((owner) => owner !== this.#options.advertiseUrl);
    if (remote.length === 0) {
      count("no_owner");
      throw new ScrapeError(
        503,
        "no_client",
        `no PushProx client is connected for "${fqdn}" to any proxy of the cluster`,
        { reason: `no PushProx client connected for ${fqdn} in the cluster` },
      );
    }
    const failures: string[] = [];
    for (const owner of remote) {
      try {
        const response = await forwardScrape(request, owner, timeoutMs, {
          fetch: this.#options.fetch,
          timers: this.#options.timers,
          self: this.#options.advertiseUrl,
        });
        if (response.headers.has(MISS_HEADER)) this.#routes.invalidate([fqdn]);
        count("forwarded");
        return response;
      } catch (error) {
        if (!(error instanceof OwnerUnreachable)) {
          count(error instanceof HttpError && error.status === 504 ? "timeout" : "forwarded");
          throw error;
        }
        failures.push(error.message);
      }
    }
    // Dead owners stay registered until their entries expire; look again on the next scrape.
    this.#routes.invalidate([fqdn]);
    count("owner_unreachable");
    throw new ScrapeError(
      503,
      "client_gone",
      `the PushProx client for "${fqdn}" is held by no reachable proxy of the cluster: ${
        failures.join("; ")
      }`,
      { reason: `client gone: the proxy holding ${fqdn} is unreachable` },
    );
  }

  /**
   * `/clients` for the whole cluster: `local` (this proxy's own target groups, current) and every client
   * held elsewhere with the labels its proxy lists for it, sorted by FQDN. Rejects with HttpError 503
   * while Redis is unreachable (Prometheus then keeps the targets it had).
   */
  async clients(local: readonly TargetGroup[]): Promise<TargetGroup[]> {
    if (!this.#store.up) {
      throw new HttpError(
        503,
        "the cluster registry (Redis) is unreachable: cannot list the cluster's clients",
      );
    }
    let listed;
    try {
      listed = await this.#store.list();
    } catch (error) {
      throw new HttpError(
        503,
        `the cluster registry (Redis) failed: ${(error as Error).message}: cannot list the cluster's clients`,
        { cause: error },
      );
    }
    const here = new Set(local.map((group) => group.targets[0]));
    const groups = [...local];
    for (const { fqdn, labels } of listed) {
      if (!here.has(fqdn)) groups.push({ targets: [fqdn], labels: parseLabels(labels) });
    }
    return groups.sort((
      a,
      b,
    ) => (a.targets[0]! < b.targets[0]! ? -1 : a.targets[0]! > b.targets[0]! ? 1 : 0));
  }

  /** Removes this proxy's entries (best effort, for at most a second) and disconnects. */
  async leave(): Promise<void> {
    const { timers } = this.#options;
    let timer: unknown;
    const limit = new Promise<void>((resolve) => (timer = timers.setTimeout(resolve, LEAVE_TIMEOUT_MS)));
    await Promise.race([this.#registry.close(), limit]);
    timers.clearTimeout(timer);
    await this.#store.close();
  }

  #join(): void {
    this.#store.join(this.#tag, this.#options.advertiseUrl).catch(() =>
      this.#options.metrics.registryErrors.inc()
    );
  }

  #connection(up: boolean, error?: Error): void {
    const { logger, metrics } = this.#options;
    metrics.redisUp.set(up ? 1 : 0);
    // Announcements may have been missed while down either way: no cached route can be trusted.
    this.#routes.clear();
    if (up) {
      logger.info("Cluster registry reachable; registering this proxy's clients", {
        advertise: this.#options.advertiseUrl,
      });
      this.#registry.resync();
      this.#join();
    } else {
      metrics.redisDisconnects.inc();
      logger.warn(
        "Cluster registry (Redis) unreachable: local clients keep working, scrapes of other proxies' clients fail until it is back",
        { err: error },
      );
    }
  }
}

/** Labels another proxy stored, or none when they are missing or not an object of strings. */
function parseLabels(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === "string")) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}
