/**
 * A manual clock for the proxy's tests: timers fire only when the test advances time, synchronously (the
 * client's tests use the asynchronous `createFakeClock` of src/time/fake_clock.ts, which also lets promise
 * callbacks run between timers).
 */
import type { Clock } from "../time/clock.ts";

export class FakeTimers implements Clock {
  #now = 0;
  #next = 1;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.#pending.set(handle, { at: this.#now + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** Number of timers still armed: lets tests check that nothing leaks. */
  get armed(): number {
    return this.#pending.size;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#pending) {
        if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#pending.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = until;
  }
}
