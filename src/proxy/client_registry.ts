/**
 * Which clients the proxy knows, and for how long: one record per FQDN from its first poll until it is
 * gone. A client with no poll open is given time to come back (the disconnect grace after its connection
 * dropped or it took a scrape, the registration timeout after an idle answer); past that it is dropped.
 * The coordinator decides what happens to a dropped client's scrapes; this file only keeps the records.
 * @module
 */
import { HttpError } from "./http_error.ts";
import type { PendingScrape } from "./pending_scrape.ts";
import type { Clock } from "../time/clock.ts";
import type { WaitingPoll } from "./waiting_poll.ts";
import { ClientStats } from "./client_stats.ts";

/** Told when a client is first known and when it is dropped (the cluster registry listens). */
export interface ClientListener {
  added(fqdn: string): void;
  dropped(fqdn: string): void;
}

/** A known client as `/clients` and the status page show it. */
export interface ClientView {
  readonly fqdn: string;
  /** Polls waiting right now. */
  readonly pollers: number;
  readonly stats: Readonly<ClientStats>;
}

/** A poll waiting for work, as the coordinator keeps it. */
export type Poller = WaitingPoll<ClientEntry>;

/** One known client. */
export interface ClientEntry {
  readonly fqdn: string;
  readonly pollers: Poller[];
  readonly queue: PendingScrape[];
  /** Created with the first delivery: most clients of an idle fleet never have a scrape in flight. */
  inFlight: Set<PendingScrape> | null;
  /** Runs while no poll is open: drops the client when it fires. */
  absenceTimer: unknown;
  readonly stats: ClientStats;
}

/** How a client's last open poll ended, which decides how long it has to come back. */
export type PollEnding = "disconnected" | "took work" | "idle";

export interface ClientRegistryOptions {
  readonly timers: Clock;
  readonly registrationTimeoutMs: number;
  readonly disconnectGraceMs: number;
  readonly wallClock: () => number;
  /** Most clients known at once (0: no limit). */
  readonly maxClients: number;
  /** Ends what a dropped client still had: its polls and scrapes. `why` is null at shutdown. */
  readonly onDrop: (entry: ClientEntry, why: string | null) => void;
}

export class ClientRegistry {
  readonly #options: ClientRegistryOptions;
  readonly #clients = new Map<string, ClientEntry>();
  readonly #listeners: ClientListener[] = [];
  #refused = 0;

  constructor(options: ClientRegistryOptions) {
    this.#options = options;
  }

  /** Number of known clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Polls refused because `maxClients` FQDNs were already known. */
  get refused(): number {
    return this.#refused;
  }

  get(fqdn: string): ClientEntry | undefined {
    return this.#clients.get(fqdn);
  }

  /** True when `entry` is still the record for its FQDN (not dropped meanwhile). */
  isCurrent(entry: ClientEntry): boolean {
    return this.#clients.get(entry.fqdn) === entry;
  }

  entries(): IterableIterator<ClientEntry> {
    return this.#clients.values();
  }

  fqdns(): IterableIterator<string> {
    return this.#clients.keys();
  }

  /** Known clients with what they announced and how their scrapes went, sorted by FQDN. */
  views(): ClientView[] {
    const views: ClientView[] = [];
    for (const entry of this.#clients.values()) {
      views.push({ fqdn: entry.fqdn, pollers: entry.pollers.length, stats: entry.stats });
    }
    return views.sort((a, b) => (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
  }

  watch(listener: ClientListener): void {
    this.#listeners.push(listener);
  }

  /**
   * The record for a client that polls: a new one (telling the listeners), or the known one with its
   * absence clock stopped.
   * @throws {HttpError} 503 for a new FQDN once `maxClients` are known: every FQDN costs memory for as
   * long as the registration timeout, so without a bound anyone who reaches the proxy could fill it.
   */
  admit(fqdn: string): ClientEntry {
    let entry = this.#clients.get(fqdn);
    if (entry === undefined) {
      const max = this.#options.maxClients;
      if (max > 0 && this.#clients.size >= max) {
        this.#refused++;
        throw new HttpError(
          503,
          `cannot register "${fqdn}": the proxy already has ${max} clients, its limit`,
          {
            reason: `client limit ${max} reached`,
          },
        );
      }
      entry = {
        fqdn,
        pollers: [],
        queue: [],
        inFlight: null,
        absenceTimer: undefined,
        stats: new ClientStats(this.#options.wallClock()),
      };
      this.#clients.set(fqdn, entry);
      for (const listener of this.#listeners) listener.added(fqdn);
    } else if (entry.absenceTimer !== undefined) {
      this.#options.timers.clearTimeout(entry.absenceTimer);
      entry.absenceTimer = undefined;
    }
    return entry;
  }

  /**
   * After a poll ends: with no poll left open, start the clock on the client's absence. A client that
   * disconnected or took work is expected back within the grace period; one answered idle, within the
   * registration timeout.
   */
  pollEnded(entry: ClientEntry, how: PollEnding): void {
    if (entry.pollers.length > 0 || !this.isCurrent(entry)) return;
    const { timers, disconnectGraceMs, registrationTimeoutMs } = this.#options;
    if (entry.absenceTimer !== undefined) timers.clearTimeout(entry.absenceTimer);
    const why = how === "disconnected"
      ? "disconnected"
      : how === "took work"
      ? `did not poll again within ${disconnectGraceMs / 1000}s of taking a scrape`
      : `did not poll for ${registrationTimeoutMs / 1000}s`;
    entry.absenceTimer = timers.setTimeout(() => {
      entry.absenceTimer = undefined;
      if (entry.pollers.length > 0) return;
      this.drop(entry, why);
    }, how === "idle" ? registrationTimeoutMs : disconnectGraceMs);
  }

  /** Forgets a client that is gone (`why`), or every client at shutdown (null), and ends what it had. */
  drop(entry: ClientEntry, why: string | null): void {
    if (entry.absenceTimer !== undefined) this.#options.timers.clearTimeout(entry.absenceTimer);
    entry.absenceTimer = undefined;
    this.#clients.delete(entry.fqdn);
    for (const listener of this.#listeners) listener.dropped(entry.fqdn);
    this.#options.onDrop(entry, why);
  }

  /** Drops every client (shutdown). */
  dropAll(): void {
    for (const entry of [...this.#clients.values()]) this.drop(entry, null);
  }
}
