/**
 * Routes (FQDN -> holding proxies) this proxy has looked up, kept until a change announcement names the
 * FQDN, so a steady stream of scrapes for a remote client costs no Redis round trip. "No holder" is kept
 * too (announcements also cover a client arriving). The cache is emptied whenever announcements may have
 * been missed (the connection to Redis dropped), and bounded, because scrapes can name any host.
 * @module
 */

/** At most this many routes are kept; the oldest go first. */
export const MAX_ROUTES = 100_000;

export class RouteCache {
  readonly #routes = new Map<string, readonly string[]>();
  /** Bumped by every invalidation, so a lookup that raced one does not store a stale answer. */
  #epoch = 0;
  readonly #maxRoutes: number;

  constructor(maxRoutes = MAX_ROUTES) {
    this.#maxRoutes = maxRoutes;
  }

  /** The cached owners of `fqdn`, or undefined when it must be looked up. */
  get(fqdn: string): readonly string[] | undefined {
    return this.#routes.get(fqdn);
  }

  /** Looks `fqdn` up with `fetch` and keeps the answer unless an invalidation came in meanwhile. */
  async fill(fqdn: string, fetch: (fqdn: string) => Promise<string[]>): Promise<readonly string[]> {
    const epoch = this.#epoch;
    const owners = await fetch(fqdn);
    if (epoch === this.#epoch) {
      if (this.#routes.size >= this.#maxRoutes) this.#routes.delete(this.#routes.keys().next().value!);
      this.#routes.set(fqdn, owners);
    }
    return owners;
  }

  /** Forgets the routes of these FQDNs. */
  invalidate(fqdns: Iterable<string>): void {
    this.#epoch++;
    for (const fqdn of fqdns) this.#routes.delete(fqdn);
  }

  /** Forgets every route. */
  clear(): void {
    this.#epoch++;
    this.#routes.clear();
  }

  get size(): number {
    return this.#routes.size;
  }
}
