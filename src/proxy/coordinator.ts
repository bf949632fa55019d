/**
 * Where scrapes meet polls. Three verbs, as in upstream's design: a scraper asks for a scrape (`scrape`), a
 * client waits for work (`poll`), and a client hands back a result (`claim`, then `PendingScrape.relay`).
 *
 * Where we deliberately differ from upstream:
 * - A poll whose connection closes is forgotten at once; a scrape is never handed to a dead poll.
 * - A client whose last poll connection closed and that does not come back within a short grace period is
 *   dropped, failing its queued and in-flight scrapes at once instead of at their timeout. So is one that
 *   took a scrape and did not poll again within that grace: ours and upstream's clients poll again at once,
 *   and a poll whose peer died just before its answer was written never reports a close.
 * - A scrape for a host with no client fails at once, naming the host.
 * - Several pollers for one FQDN share its scrapes (longest-waiting poll first); none is expired with a 408.
 * - Idle polls can be answered after a bounded wait, for clients that asked for it.
 */
import { HttpError } from "./http_error.ts";
import { ScrapeError } from "./scrape_outcome.ts";
import { PendingScrape, type ScrapeReply } from "./pending_scrape.ts";
import type { Clock } from "../time/clock.ts";
import { DeadlineQueue } from "./deadline_queue.ts";
import { type EndPoll, IdleDeadline, WaitingPoll } from "./waiting_poll.ts";
import { type Announcement, parseLabels } from "./client_stats.ts";
import {
  type ClientEntry,
  type ClientListener,
  ClientRegistry,
  type ClientView,
  type Poller,
} from "./client_registry.ts";

export type { ClientListener, ClientView } from "./client_registry.ts";

export interface CoordinatorOptions {
  readonly timers: Clock;
  /** Fresh scrape ids (UUID v4, as upstream, so Go clients echo them unchanged). */
  readonly newId: () => string;
  /** A client not seen polling for this long is forgotten (its polls ended normally, it never came back). */
  readonly registrationTimeoutMs: number;
  /** How long a client whose poll connection dropped may take to poll again before it counts as gone. */
  readonly disconnectGraceMs: number;
  /** Wall-clock milliseconds, for the times `/clients` and the status page show (default `Date.now`). */
  readonly wallClock?: () => number;
  /**
   * Most clients known at once (0 or absent: no limit). Every FQDN costs memory for as long as the
   * registration timeout, so without a bound anyone who reaches the proxy could fill it.
   */
  readonly maxClients?: number;
}

export interface ScrapeOrder {
  readonly fqdn: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Serializes the request for the client once its id is known. */
  readonly serialize: (id: string) => Uint8Array;
  /** The scraper's connection: aborts when it hangs up. */
  readonly signal?: AbortSignal;
}

export interface PollOptions {
  /** Answer with null after this long without work; null holds the poll until work or disconnect. */
  readonly idleTimeoutMs: number | null;
  readonly signal: AbortSignal;
  /** The poll's version and labels headers (none: a client that announces nothing, like upstream's). */
  readonly announcement?: Announcement;
  /** Who polls (authenticated principal; "" or absent without authentication), recorded with a handed-over scrape. */
  readonly principal?: string;
}

type PollEnd = EndPoll<ClientEntry>;

const NO_ANNOUNCEMENT: Announcement = { labels: null, userAgent: null };

export class Coordinator {
  readonly #options: CoordinatorOptions;
  readonly #wallClock: () => number;
  readonly #clients: ClientRegistry;
  readonly #inFlight = new Map<string, PendingScrape>();
  /** Scrapes not yet settled: queued, taken by a client, or relaying. */
  #pending = 0;
  /** Set once shutdown began: resolves when the last pending scrape has settled. */
  #draining: { readonly done: Promise<void>; readonly resolve: () => void } | null = null;

  /** Shared by every waiting poll, so a poll carries no closure of its own. */
  readonly #endPoll: PollEnd;
  /** Idle deadlines of waiting polls, on one timer. */
  readonly #idle: DeadlineQueue;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#wallClock = options.wallClock ?? Date.now;
    this.#idle = new DeadlineQueue(options.timers);
    this.#clients = new ClientRegistry({
      timers: options.timers,
      registrationTimeoutMs: options.registrationTimeoutMs,
      disconnectGraceMs: options.disconnectGraceMs,
      wallClock: this.#wallClock,
      maxClients: options.maxClients ?? 0,
      onDrop: (entry, why) => this.#endClient(entry, why),
    });
    this.#endPoll = (poller, scrape, disconnected) => {
      if (!poller.waiting) return;
      poller.waiting = false;
      const pollers = poller.entry.pollers;
      const index = pollers.indexOf(poller);
      if (index !== -1) pollers.splice(index, 1);
      poller.signal.removeEventListener("abort", poller);
      poller.idle?.cancel();
      poller.resolve(scrape);
      this.#clients.pollEnded(
        poller.entry,
        disconnected ? "disconnected" : scrape !== null ? "took work" : "idle",
      );
    };
  }

  /** Number of known clients (FQDNs), for `pushprox_proxy_clients`. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** True once {@linkcode Coordinator.drain} was called: no polls or scrapes are taken any more. */
  get draining(): boolean {
    return this.#draining !== null;
  }

  /**
   * What the proxy's gauges show: clients with a poll waiting or a scrape taken, polls waiting, and scrapes
   * not yet settled. Counted when asked (a metrics scrape), so the hot paths keep no extra counters.
   */
  activity(): { connectedClients: number; waitingPolls: number; pendingScrapes: number } {
    let connectedClients = 0;
    let waitingPolls = 0;
    for (const entry of this.#clients.entries()) {
      waitingPolls += entry.pollers.length;
      if (entry.pollers.length > 0 || (entry.inFlight?.size ?? 0) > 0) connectedClients++;
    }
    return { connectedClients, waitingPolls, pendingScrapes: this.#pending };
  }
  /** Polls refused because `maxClients` FQDNs were already known. */
  get registrationsRefused(): number {
    return this.#clients.refused;
  }

  /** Known client FQDNs, sorted. */
  knownClients(): string[] {
    return [...this.#clients.fqdns()].sort();
  }

  /** Known clients with what they announced and how their scrapes went, sorted by FQDN. */
  clients(): ClientView[] {
    return this.#clients.views();
  }

  /** True when a client polls for `fqdn` here (or did, within its grace period). */
  has(fqdn: string): boolean {
    return this.#clients.get(fqdn) !== undefined;
  }

  /** Known client FQDNs, unsorted. */
  fqdns(): IterableIterator<string> {
    return this.#clients.fqdns();
  }

  /** Calls `listener` whenever a client is first known or is dropped. */
  watch(listener: ClientListener): void {
    this.#clients.watch(listener);
  }

  /** Asks the client for `order.fqdn` to scrape; resolves with the reply to relay, or rejects with HttpError. */
  scrape(order: ScrapeOrder): Promise<ScrapeReply> {
    if (this.#draining !== null) {
      return Promise.reject(shuttingDown(order.url));
    }
    const entry = this.#clients.get(order.fqdn);
    if (entry === undefined) {
      return Promise.reject(
        new ScrapeError(
          503,
          "no_client",
          `no PushProx client is connected for "${order.fqdn}" (scrape of ${order.url})`,
          { reason: `no PushProx client connected for ${order.fqdn}` },
        ),
      );
    }
    const id = this.#options.newId();
    const scrape = new PendingScrape({
      id,
      fqdn: order.fqdn,
      url: order.url,
      payload: order.serialize(id),
      timeoutMs: order.timeoutMs,
      timers: this.#options.timers,
      signal: order.signal,
      onSettled: (settled) => this.#forget(settled),
    });
    this.#pending++;
    this.#offer(entry, scrape);
    return scrape.reply;
  }

  /**
   * A client waits for work. Resolves with a scrape to perform, or null (idle timeout, or disconnect).
   *
   * @throws {HttpError} 400 for labels that are not valid, before the client is registered.
   */
  poll(fqdn: string, options: PollOptions): Promise<PendingScrape | null> {
    // Answered at once while shutting down, so the client polls again (elsewhere, behind a balancer).
    if (this.#draining !== null) return Promise.resolve(null);
    const announcement = options.announcement ?? NO_ANNOUNCEMENT;
    const known = this.#clients.get(fqdn);
    const labels = known === undefined
      ? parseLabels(announcement.labels)
      : known.stats.labelsFor(announcement.labels);
    let entry: ClientEntry;
    try {
      entry = this.#clients.admit(fqdn);
    } catch (error) {
      return Promise.reject(error);
    }
    entry.stats.polled(announcement, labels, this.#wallClock());
    const queued = this.#nextQueued(entry);
    const principal = options.principal ?? "";
    if (queued !== null) {
      this.#deliver(entry, queued, principal);
      this.#clients.pollEnded(entry, "took work");
      return Promise.resolve(queued);
    }
    if (options.signal.aborted) {
      this.#clients.pollEnded(entry, "disconnected");
      return Promise.resolve(null);
    }
    const deadline = options.idleTimeoutMs === null
      ? Infinity
      : this.#options.timers.now() + options.idleTimeoutMs;
    let poller!: Poller;
    const promise = new Promise<PendingScrape | null>((resolve) => {
      poller = new WaitingPoll(entry, options.signal, resolve, this.#endPoll, deadline, principal);
    });
    entry.pollers.push(poller);
    options.signal.addEventListener("abort", poller, { once: true });
    if (deadline !== Infinity) this.#idle.add(poller.idle = new IdleDeadline(poller));
    return promise;
  }

  /** A poll took this scrape but its answer could not be sent: offer it to the next poll. */
  requeue(scrape: PendingScrape): void {
    if (scrape.state !== "delivered") return;
    this.#inFlight.delete(scrape.id);
    const entry = this.#clients.get(scrape.fqdn);
    entry?.inFlight?.delete(scrape);
    scrape.markQueued();
    if (entry === undefined) {
      scrape.fail(
        new ScrapeError(
          503,
          "client_gone",
          `PushProx client for "${scrape.fqdn}" disconnected before the scrape`,
          {
            reason: `client gone: ${scrape.fqdn} disconnected`,
          },
        ),
      );
      return;
    }
    this.#offer(entry, scrape, true);
  }

  /** True when a scrape with this id was handed to a client here and awaits its push. */
  isWaiting(id: string): boolean {
    return this.#inFlight.has(id);
  }

  /**
   * A push arrived from `principal`: the scrape it answers, if one is still waiting for it. A push from
   * anyone but the principal whose poll took the scrape is refused (HttpError 403) and changes nothing, so
   * the rightful client's push still gets through.
   */
  claim(id: string, principal = ""): PendingScrape | undefined {
    const scrape = this.#inFlight.get(id);
    if (scrape === undefined || scrape.state !== "delivered") return undefined;
    if (scrape.holder !== principal) {
      throw new HttpError(
        403,
        `scrape ${id} of "${scrape.fqdn}", which another client took; only it may push the result`,
      );
    }
    this.#inFlight.delete(id);
    this.#clients.get(scrape.fqdn)?.inFlight?.delete(scrape);
    return scrape;
  }

  /**
   * Begins shutdown: no new polls or scrapes are taken, waiting polls are answered (null) so their clients
   * go and poll again, and scrapes no client has taken yet fail. Resolves once every scrape a client took
   * has settled; the caller bounds the wait and then calls {@linkcode Coordinator.close}.
   */
  drain(): Promise<void> {
    if (this.#draining === null) {
      let resolve!: () => void;
      const done = new Promise<void>((settle) => (resolve = settle));
      this.#draining = { done, resolve };
      for (const entry of this.#clients.entries()) {
        for (const poller of entry.pollers.splice(0)) poller.take(null);
        for (const scrape of entry.queue.splice(0)) scrape.fail(shuttingDown(scrape.url));
      }
      if (this.#pending === 0) resolve();
    }
    return this.#draining.done;
  }

  /** Fails everything in progress and stops all timers (shutdown). */
  close(): void {
    this.#clients.dropAll();
    this.#idle.clear();
  }

  #offer(entry: ClientEntry, scrape: PendingScrape, front = false): void {
    const poller = entry.pollers.shift();
    if (poller !== undefined) {
      this.#deliver(entry, scrape, poller.principal);
      poller.take(scrape);
    } else if (front) {
      entry.queue.unshift(scrape);
    } else {
      entry.queue.push(scrape);
    }
  }

  #deliver(entry: ClientEntry, scrape: PendingScrape, principal: string): void {
    scrape.markDelivered(principal);
    this.#inFlight.set(scrape.id, scrape);
    (entry.inFlight ??= new Set()).add(scrape);
  }

  #nextQueued(entry: ClientEntry): PendingScrape | null {
    for (let scrape = entry.queue.shift(); scrape !== undefined; scrape = entry.queue.shift()) {
      if (scrape.state === "queued") return scrape;
    }
    return null;
  }

  /** A dropped client's polls are answered and its scrapes fail, naming why (null: shutdown). */
  #endClient(entry: ClientEntry, why: string | null): void {
    for (const poller of entry.pollers.splice(0)) poller.take(null);
    const error = (scrape: PendingScrape) =>
      why === null
        ? shuttingDown(scrape.url)
        : new ScrapeError(503, "client_gone", `PushProx client for "${entry.fqdn}" ${why}`, {
          reason: `client gone: ${entry.fqdn} ${why}`,
        });
    for (const scrape of entry.queue.splice(0)) scrape.fail(error(scrape));
    for (const scrape of [...entry.inFlight ?? []]) scrape.fail(error(scrape));
  }

  #forget(scrape: PendingScrape): void {
    this.#pending--;
    if (this.#pending === 0) this.#draining?.resolve();
    this.#inFlight.delete(scrape.id);
    const entry = this.#clients.get(scrape.fqdn);
    if (entry === undefined) return;
    entry.stats.scraped(scrape.failure, this.#wallClock());
    entry.inFlight?.delete(scrape);
    const index = entry.queue.indexOf(scrape);
    if (index !== -1) entry.queue.splice(index, 1);
  }
}

function shuttingDown(url: string): ScrapeError {
  return new ScrapeError(503, "shutdown", `the proxy is shutting down (scrape of ${url})`, {
    reason: "proxy shutting down",
  });
}
