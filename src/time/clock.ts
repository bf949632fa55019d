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
