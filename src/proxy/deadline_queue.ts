/**
 * Deadlines on one timer: idle polls all wait the same few seconds, so instead of a timer (and a closure)
 * per waiting poll, they queue in deadline order and one timer is armed for the earliest. Items that end
 * early are not removed (that would cost a search per poll); they stay queued until their deadline and
 * must then ignore `expire()`. With a fixed idle timeout that bounds the queue to the polls started within
 * one timeout.
 */
import type { Clock } from "../time/clock.ts";

/** Something with a deadline on the clock's time line. */
export interface Expiring {
  /** When to call `expire`, in the clock's milliseconds. */
  readonly deadline: number;
  /** The deadline passed; also called for items that ended early, which must then do nothing. */
  expire(): void;
}

/** Past this many spent slots at the front, the array is compacted (amortized O(1) per item). */
const COMPACT_AFTER = 1024;

/**
 * Calls `expire()` on each item once its deadline has passed, in deadline order.
 *
 * @example
 * ```ts
 * const queue = new DeadlineQueue(systemClock);
 * queue.add({ deadline: systemClock.now() + 25_000, expire: () => console.log("idle") });
 * ```
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #fire = () => this.#expireDue();
  #items: (Expiring | undefined)[] = [];
  /** Index of the first item still queued. */
  #head = 0;
  #timer: unknown = undefined;
  /** Deadline the armed timer was set for; Infinity when none is armed. */
  #armedFor = Infinity;

  /** Uses `clock` for time and for its single timer. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Items queued, including those that ended early and wait for their deadline to be dropped. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Queues `item`; its `expire()` runs from a later timer callback, never from here. */
  add(item: Expiring): void {
    const items = this.#items;
    // Nearly always an append: with one timeout for all, deadlines arrive in order.
    let at = items.length;
    while (at > this.#head && items[at - 1]!.deadline > item.deadline) at--;
    if (at === items.length) items.push(item);
    else items.splice(at, 0, item);
    this.#arm();
  }

  /** Forgets every item and stops the timer (shutdown). */
  clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#items = [];
    this.#head = 0;
  }

  #arm(): void {
    const first = this.#items[this.#head];
    if (first === undefined || first.deadline >= this.#armedFor) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedFor = first.deadline;
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, first.deadline - this.#clock.now()));
  }

  #expireDue(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#clock.now();
    const items = this.#items;
    while (this.#head < items.length && items[this.#head]!.deadline <= now) {
      const item = items[this.#head]!;
      items[this.#head++] = undefined;
      item.expire();
    }
    if (this.#head === items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    this.#arm();
  }
}
