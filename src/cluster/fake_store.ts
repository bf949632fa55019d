/**
 * An in-memory RouteStore for unit tests: entries with expiry on an injected clock, a switch to take it
 * "down", and a record of every call so tests can count round trips. Not a test file itself.
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { ClusterClient, RouteStore, RouteStoreEvents } from "./route_store.ts";

export interface FakeStore extends RouteStore {
  /** Every call, as "method arg", in order. */
  readonly calls: string[];
  /** Takes the store down or up, reporting it as the real one does. */
  setUp(up: boolean): void;
  /** Delivers an announcement as if another proxy had made it. */
  announceFromElsewhere(fqdns: string[]): void;
}

export function createFakeStore(clock: Clock, events: RouteStoreEvents, initiallyUp = true): FakeStore {
  /** fqdn -> owner -> expiry */
  const entries = new Map<string, Map<string, number>>();
  const calls: string[] = [];
  const members = new Map<string, string>();
  /** fqdn -> owner -> labels JSON */
  const labels = new Map<string, Map<string, string>>();
  let up = initiallyUp;
  const check = () => {
    if (!up) return Promise.reject(new Error("The client is offline"));
    return Promise.resolve();
  };
  const live = (fqdn: string) =>
    [...(entries.get(fqdn) ?? [])].filter(([, expiry]) => expiry > clock.now()).sort((a, b) => b[1] - a[1])
      .map(([owner]) => owner);
  return {
    calls,
    get up() {
      return up;
    },
    setUp(next) {
      up = next;
      events.connection(next, next ? undefined : new Error("Socket closed unexpectedly"));
    },
    announceFromElsewhere(fqdns) {
      events.changed(fqdns);
    },
    async claim(claims, owner, ttlMs) {
      calls.push(`claim ${claims.map((claim) => claim.fqdn).join(",")}`);
      await check();
      for (const { fqdn, labels: text } of claims) {
        let owners = entries.get(fqdn);
        if (owners === undefined) entries.set(fqdn, owners = new Map());
        owners.set(owner, clock.now() + ttlMs);
        let byOwner = labels.get(fqdn);
        if (byOwner === undefined) labels.set(fqdn, byOwner = new Map());
        byOwner.set(owner, text);
      }
    },
    async release(fqdns, owner) {
      calls.push(`release ${fqdns.join(",")}`);
      await check();
      for (const fqdn of fqdns) entries.get(fqdn)?.delete(owner);
    },
    async owners(fqdn) {
      calls.push(`owners ${fqdn}`);
      await check();
      return live(fqdn);
    },
    async list() {
      calls.push("list");
      await check();
      const out: ClusterClient[] = [];
      for (const fqdn of [...entries.keys()].sort()) {
        const owners = live(fqdn);
        if (owners.length > 0) out.push({ fqdn, owners, labels: labels.get(fqdn)?.get(owners[0]!) ?? null });
      }
      return out;
    },
    async join(tag, url) {
      calls.push(`join ${tag}`);
      await check();
      members.set(tag, url);
    },
    async member(tag) {
      calls.push(`member ${tag}`);
      await check();
      return members.get(tag) ?? null;
    },
    async announce(fqdns) {
      calls.push(`announce ${fqdns.join(",")}`);
      await check();
      events.changed(fqdns);
    },
    close() {
      calls.push("close");
      return Promise.resolve();
    },
  };
}
