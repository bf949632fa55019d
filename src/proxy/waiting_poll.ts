/**
 * One poll waiting in the coordinator, as a single object: it is its own abort listener (`handleEvent`)
 * and handles its idle deadline (`expire`, reached through a small {@linkcode IdleDeadline} in the shared
 * deadline queue), so a held poll costs these objects and its promise rather than a set of closures and a
 * timer. Thousands of them wait at once in an idle fleet, so that difference is most of what the
 * coordinator adds per client.
 */
import type { Expiring } from "./deadline_queue.ts";
import type { PendingScrape } from "./pending_scrape.ts";

/**
 * How a poll ends, shared by all polls of one coordinator: called with a scrape to hand over, or null
 * (idle timeout, disconnect, client dropped); `disconnected` is true when the poll's connection closed.
 */
export type EndPoll<E> = (poll: WaitingPoll<E>, scrape: PendingScrape | null, disconnected: boolean) => void;

/**
 * A waiting poll of the client `entry`. Every way it can end goes through `end`, which must check and
 * clear `waiting` so that only the first one counts.
 *
 * @example
 * ```ts
 * const poll = new WaitingPoll(entry, request.signal, resolve, endPoll, Infinity);
 * request.signal.addEventListener("abort", poll, { once: true });
 * ```
 */
export class WaitingPoll<E> {
  /** The client this poll is for (the coordinator's own record). */
  readonly entry: E;
  /** The poll's connection: aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Settles the poll's promise. */
  readonly resolve: (scrape: PendingScrape | null) => void;
  readonly #end: EndPoll<E>;
  /** When an idle poll is answered with null; Infinity holds it until work or disconnect. */
  readonly deadline: number;
  /** Who is polling ("" without authentication): a scrape handed to this poll may be pushed only by them. */
  readonly principal: string;
  /** False once answered or gone: later abort events and deadlines must do nothing. */
  waiting = true;
  /** Its place in the idle-deadline queue, if it has a deadline. */
  idle: IdleDeadline | null = null;

  /** A poll that waits from now on; the caller queues it and listens for `signal` with it. */
  constructor(
    entry: E,
    signal: AbortSignal,
    resolve: (scrape: PendingScrape | null) => void,
    end: EndPoll<E>,
    deadline: number,
    principal = "",
  ) {
    this.entry = entry;
    this.signal = signal;
    this.resolve = resolve;
    this.#end = end;
    this.deadline = deadline;
    this.principal = principal;
  }

  /** Hands over a scrape, or null to release the poll. */
  take(scrape: PendingScrape | null): void {
    this.#end(this, scrape, false);
  }

  /** The idle timeout passed without work. */
  expire(): void {
    this.#end(this, null, false);
  }

  /** The poll's connection closed (this object is the signal's "abort" listener). */
  handleEvent(): void {
    this.#end(this, null, true);
  }
}

/**
 * A waiting poll's place in the deadline queue. The queue keeps entries of polls that ended early until
 * their deadline (removing them would cost a search per poll), so the entry lets go of its poll when the
 * poll ends: at thousands of scrapes per second, a whole idle timeout's worth of ended polls kept with
 * their requests' signals grew a 1,000-client soak's proxy to 920 MB, where 150 MB is its level.
 */
export class IdleDeadline implements Expiring {
  readonly deadline: number;
  #poll: { expire(): void } | null;

  /** The place of `poll`, due at its deadline. */
  constructor(poll: { readonly deadline: number; expire(): void }) {
    this.deadline = poll.deadline;
    this.#poll = poll;
  }

  /** {@inheritDoc Expiring.expire} */
  expire(): void {
    const poll = this.#poll;
    this.#poll = null;
    poll?.expire();
  }

  /** The poll ended before its deadline. */
  cancel(): void {
    this.#poll = null;
  }
}
