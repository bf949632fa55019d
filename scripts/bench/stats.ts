/**
 * Summaries of repeated measurements. The benchmark reports medians and 99th percentiles only, never a
 * single run, so one slow outlier (a GC pause, a scheduler hiccup) cannot pass for the typical figure.
 * @module
 */

/** Median, p99 and friends of one set of samples (same unit as the samples). */
export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The `q`-quantile (0..1) of samples by linear interpolation between closest ranks.
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * ```
 * @throws {RangeError} for no samples or `q` outside 0..1.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError("Cannot take a quantile of no samples");
  return quantileOfSorted([...samples].sort((a, b) => a - b), q);
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot take quantile ${q}: expected 0..1`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/**
 * Count, median, p90, p99, min and max of samples. Sorts once and never spreads the samples into an
 * argument list, so a soak run's few hundred thousand latencies are fine.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).median; // 2
 * ```
 * @throws {RangeError} for no samples.
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError("Cannot summarize no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    median: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
    p99: quantileOfSorted(sorted, 0.99),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** Rounds to `digits` decimals, for JSON that people read. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
