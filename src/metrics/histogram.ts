/**
 * A histogram: counts of observations in cumulative buckets, plus their sum and count (request durations).
 * @module
 */
import { checkNames, familyHeader, formatValue, type Labels, sampleLine } from "./exposition.ts";
import { SeriesMap } from "./series.ts";

/**
 * Prometheus' default buckets (seconds), suited to request latencies.
 *
 * @example
 * ```ts
 * registry.histogram({ name: "d_seconds", help: "Durations.", buckets: DEFAULT_BUCKETS });
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How to declare a histogram. */
export interface HistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Upper bounds, strictly increasing and finite; `+Inf` is always added. Defaults to `DEFAULT_BUCKETS`. */
  readonly buckets?: readonly number[];
}

interface HistogramState {
  /** Observations per bucket (not cumulative); the last slot is the `+Inf` bucket. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram metric. Create it through `Registry.histogram`.
 *
 * @example
 * ```ts
 * const duration = registry.histogram({ name: "http_duration_seconds", help: "Durations.", labelNames: ["path"] });
 * duration.observe(0.042, { path: "/poll" });
 * ```
 */
export class Histogram {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series: SeriesMap<HistogramState>;

  constructor(options: HistogramOptions) {
    this.name = options.name;
    this.#help = options.help;
    this.#labelNames = options.labelNames ?? [];
    checkNames(this.name, this.#labelNames, ["le"]);
    const bounds = options.buckets ?? DEFAULT_BUCKETS;
    const ordered = bounds.every((bound, i) => Number.isFinite(bound) && (i === 0 || bound > bounds[i - 1]));
    if (!ordered) {
      throw new RangeError(
        `Histogram ${this.name}: buckets must be finite and strictly increasing, got [${bounds.join(", ")}]`,
      );
    }
    this.#bounds = [...bounds];
    this.#series = new SeriesMap(this.name, this.#labelNames, () => ({
      counts: new Array<number>(bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
    }));
  }

  /** Records one observation (e.g. a duration in seconds) for `labels`. */
  observe(value: number, labels?: Labels): void {
    const state = this.#series.get(labels);
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]) i++;
    state.counts[i]++;
    state.sum += value;
    state.count++;
  }

  /** Observation count and sum for `labels`, mainly for tests. */
  get(labels?: Labels): { readonly count: number; readonly sum: number } {
    const state = this.#series.peek(labels);
    return { count: state?.count ?? 0, sum: state?.sum ?? 0 };
  }

  /** This metric in text format: cumulative `_bucket` lines, `_sum`, `_count`; empty when it has no series. */
  render(): string {
    const series = this.#series.sorted();
    if (series.length === 0) return "";
    const names = this.#labelNames;
    let text = familyHeader(this.name, this.#help, "histogram");
    for (const { labelValues, state } of series) {
      let cumulative = 0;
      for (let i = 0; i <= this.#bounds.length; i++) {
        cumulative += state.counts[i];
        const le = i < this.#bounds.length ? formatValue(this.#bounds[i]) : "+Inf";
        text += sampleLine(`${this.name}_bucket`, names, labelValues, cumulative, ["le", le]);
      }
      text += sampleLine(`${this.name}_sum`, names, labelValues, state.sum);
      text += sampleLine(`${this.name}_count`, names, labelValues, state.count);
    }
    return text;
  }
}
