/**
 * Polling until something holds: the one way cross-process tests wait, so every wait has a deadline
 * and every timeout says what was awaited and what was last seen.
 * @module
 */

/** Options for {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Pause between attempts (ms); default 100. */
  readonly intervalMs?: number;
  /** What is awaited, for the error message, e.g. `up{job="node"} == 1`. */
  readonly what: string;
  /** Extra text for the error message (process logs, say), computed only on failure. */
  readonly details?: () => string;
}

/**
 * Thrown by an attempt passed to {@link waitFor} to stop waiting at once (the awaited process exited,
 * say); waitFor rethrows it with the details attached.
 */
export class GiveUp extends Error {
  override name = "GiveUp";
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * Calls `attempt` until it returns something other than `undefined`, `null` or `false`, and returns that.
 * An attempt that throws counts as "not yet"; its error is quoted if the deadline passes. An attempt that
 * throws {@link GiveUp} ends the wait at once.
 *
 * @example
 * ```ts
 * const value = await waitFor(() => prometheus.queryValue('up{job="node"}'), { timeoutMs: 30_000, what: "node up" });
 * ```
 */
export async function waitFor<T>(
  attempt: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined && result !== null && result !== false) return result;
      last = result;
    } catch (error) {
      if (error instanceof GiveUp) {
        const details = options.details ? `\n${options.details()}` : "";
        throw new Error(`Gave up waiting for ${options.what}: ${error.message}${details}`, { cause: error });
      }
      last = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(options.intervalMs ?? 100, Math.max(0, deadline - Date.now())));
  }
  const seen = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last);
  const details = options.details ? `\n${options.details()}` : "";
  throw new Error(
    `Timed out after ${options.timeoutMs} ms waiting for ${options.what}; last seen: ${seen}${details}`,
  );
}

/**
 * Races `promise` against a deadline, rejecting with a message that names `what`.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
