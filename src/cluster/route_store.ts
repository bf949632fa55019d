/**
 * What the cluster needs from the shared store that holds its routing (Redis in production, a fake in unit
 * tests): who holds which FQDN, with entries that expire unless refreshed, and a broadcast of changes. Only
 * redis_store.ts knows Redis; the registry and the router see this interface.
 * @module
 */

/** Events a store reports to its user. */
export interface RouteStoreEvents {
  /** Some proxy announced that these FQDNs changed hands: cached routes for them are stale. */
  changed(fqdns: readonly string[]): void;
  /** The store became reachable (`error` undefined) or unreachable (with the reason). */
  connection(up: boolean, error?: Error): void;
}

/** One FQDN of the cluster and the proxies holding its polls, freshest first. */
export interface ClusterClient {
  readonly fqdn: string;
  readonly owners: readonly string[];
  /** What the freshest holder lists for it on `/clients` (JSON of its http_sd labels), or null. */
  readonly labels: string | null;
}

/** An FQDN this proxy holds, with what it lists for it on `/clients` (JSON of the http_sd labels). */
export interface Claim {
  readonly fqdn: string;
  readonly labels: string;
}

/**
 * The cluster's routing table. Every method rejects at once (never waits for a reconnect) while the store
 * is unreachable; the connection recovers by itself and reports through {@linkcode RouteStoreEvents}.
 */
export interface RouteStore {
  /** True while commands can reach the store and change announcements arrive. */
  readonly up: boolean;
  /** Records `owner` as holding each FQDN for `ttlMs` from now (refreshing entries that exist). */
  claim(claims: readonly Claim[], owner: string, ttlMs: number): Promise<void>;
  /** Removes `owner` from each FQDN's holders. */
  release(fqdns: readonly string[], owner: string): Promise<void>;
  /** The proxies holding `fqdn` (entries not expired), freshest first; empty when none. */
  owners(fqdn: string): Promise<string[]>;
  /** Every FQDN held by some proxy, with its holders and labels, sorted by FQDN. */
  list(): Promise<ClusterClient[]>;
  /** Records that scrape ids tagged `tag` were issued by the proxy at `url` (see scrape_id.ts). */
  join(tag: string, url: string): Promise<void>;
  /** The URL of the proxy whose scrape ids carry `tag`, or null when none joined with it. */
  member(tag: string): Promise<string | null>;
  /** Tells every proxy (this one included) that these FQDNs changed hands. */
  announce(fqdns: readonly string[]): Promise<void>;
  /** Closes the connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Opens a store; the connection is made in the background, so this resolves even while it is down. */
export type OpenRouteStore = (events: RouteStoreEvents) => Promise<RouteStore>;
