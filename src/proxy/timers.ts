/** Timers as a dependency, so the coordinator can be driven by a fake clock in tests. */
export interface Timers {
  /** Milliseconds on a monotonic-enough clock. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};
