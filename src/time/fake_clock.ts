/**
 * A manual clock for tests of code that takes a `Clock`: time moves only when the test calls `advance()`.
 * Not a test file itself; test files import it.
 */
import type { Clock } from "./clock.ts";

interface PendingTimer {
  readonly at: number;
  readonly callback: () => void;
  readonly handle: number;
}

/** A Clock whose time only moves when told to, and which remembers every delay it was asked for. */
export interface FakeClock extends Clock {
  /** Every `ms` passed to setTimeout, in call order. */
  readonly requested: number[];
  /** Moves time forward, firing due timers in order (and letting promise callbacks run between them). */
  advance(ms: number): Promise<void>;
  /** Number of timers not yet fired or cleared. */
  pending(): number;
}

/**
 * Creates a fake clock starting at `start` ms.
 *
 * @example
 * ```ts
 * const clock = createFakeClock();
 * const slept = sleep(clock, 1000, new AbortController().signal);
 * await clock.advance(1000);
 * await slept;
 * ```
 */
export function createFakeClock(start = 0): FakeClock {
  let now = start;
  let nextHandle = 1;
  let timers: PendingTimer[] = [];
  const requested: number[] = [];
  return {
    requested,
    now: () => now,
    setTimeout(callback, ms) {
      requested.push(ms);
      const handle = nextHandle++;
      timers.push({ at: now + Math.max(0, ms), callback, handle });
      return handle;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.handle !== handle);
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await flushMicrotasks();
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.callback();
      }
      now = target;
      await flushMicrotasks();
    },
    pending: () => timers.length,
  };
}

/** Lets queued promise reactions (several hops deep) run before the test looks again. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
}
