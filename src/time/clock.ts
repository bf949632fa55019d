/**
 * Time as a dependency, shared by proxy and client: neither calls the global timers itself, so tests drive
 * deadlines, idle timeouts and backoff with a fake clock instead of sleeping.
 */

/** The three timer operations the proxy and the client need. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * const started = systemClock.now();
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as number),
});

/**
 * Waits `ms`, or less if `signal` aborts first; never rejects, so callers simply check `signal.aborted`.
 *
 * @example
 * ```ts
 * await sleep(systemClock, 1000, shutdown.signal);
 * if (shutdown.signal.aborted) return;
 * ```
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimeout(handle);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const handle = clock.setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** An abort signal that fires at a deadline, plus ways to fire it early or release it. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Aborts now (e.g. to tear down what still uses the signal after a failure). */
  abort(reason: unknown): void;
  /** Releases the timer and the parent listener; call it once the work is done. */
  cancel(): void;
}

/**
 * A signal that aborts with `reason()` after `ms`, or as soon as `parent` aborts (with the parent's reason).
 * The reason is made only if the deadline passes: most deadlines never fire, and an exception object per
 * call is measurable on a hot path.
 *
 * @example
 * ```ts
 * const deadline = deadlineSignal(systemClock, 900, shutdown.signal, () => new DOMException("late", "TimeoutError"));
 * try { await fetch(url, { signal: deadline.signal }); } finally { deadline.cancel(); }
 * ```
 */
export function deadlineSignal(
  clock: Clock,
  ms: number,
  parent: AbortSignal,
  reason: () => unknown,
): Deadline {
  const controller = new AbortController();
  const onParentAbort = () => {
    clock.clearTimeout(handle);
    controller.abort(parent.reason);
  };
  const handle = clock.setTimeout(() => {
    parent.removeEventListener("abort", onParentAbort);
    controller.abort(reason());
  }, Math.max(0, ms));
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    abort(abortReason) {
      clock.clearTimeout(handle);
      parent.removeEventListener("abort", onParentAbort);
      controller.abort(abortReason);
    },
    cancel() {
      clock.clearTimeout(handle);
      parent.removeEventListener("abort", onParentAbort);
    },
  };
}
