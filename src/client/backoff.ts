/**
 * Retry delays for the poll loop. Upstream waits a fixed exponential sequence; we add jitter so that a
 * fleet of clients cut off by one proxy restart does not come back in lockstep and hammer it together.
 */

/** How the delays grow; all durations in milliseconds. */
export interface BackoffOptions {
  /** First delay after a failure (`--proxy.retry.initial-wait`). */
  readonly initialMs: number;
  /** Upper bound for every delay, jitter included (`--proxy.retry.max-wait`). */
  readonly maxMs: number;
  /** Growth per consecutive failure; 1.5 unless told otherwise. */
  readonly factor?: number;
  /** Relative spread of the jitter: 0.2 means each delay lands within +-20% of its nominal value. */
  readonly jitter?: number;
  /** Uniform random number in [0, 1): injected so tests see exact delays. */
  readonly random: () => number;
}

/** A backoff sequence: `next()` after each failure, `reset()` after a success. */
export interface Backoff {
  /** The delay to wait before the next attempt, in ms; grows with each call. */
  next(): number;
  /** Starts the sequence again from the initial delay. */
  reset(): void;
}

/**
 * Creates an exponential backoff with jitter that never exceeds `maxMs`.
 *
 * @example
 * ```ts
 * const backoff = createBackoff({ initialMs: 1000, maxMs: 5000, random: Math.random });
 * backoff.next(); // about 1000
 * backoff.next(); // about 1500
 * backoff.reset();
 * ```
 */
export function createBackoff(options: BackoffOptions): Backoff {
  const { initialMs, maxMs, random } = options;
  const factor = options.factor ?? 1.5;
  const jitter = options.jitter ?? 0.2;
  if (!(initialMs >= 0) || !(maxMs >= 0)) {
    throw new RangeError(
      `Cannot create backoff: waits must be >= 0, got initial ${initialMs} ms, max ${maxMs} ms`,
    );
  }
  if (!(factor >= 1)) throw new RangeError(`Cannot create backoff: factor must be >= 1, got ${factor}`);
  if (!(jitter >= 0 && jitter < 1)) {
    throw new RangeError(`Cannot create backoff: jitter must be in [0, 1), got ${jitter}`);
  }
  // A max below the initial wait would make the first delay exceed the cap; the cap wins.
  const startMs = Math.min(initialMs, maxMs);
  let nominalMs = startMs;
  return {
    next() {
      const spread = nominalMs * jitter * (2 * random() - 1);
      const delay = Math.min(maxMs, Math.max(0, nominalMs + spread));
      nominalMs = Math.min(maxMs, nominalMs * factor);
      return Math.round(delay);
    },
    reset() {
      nominalMs = startMs;
    },
  };
}
