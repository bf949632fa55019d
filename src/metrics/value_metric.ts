/**
 * What counters and gauges share: one number per label set, optionally read at render time through
 * `collect`, rendered in the text format under its type. The subclasses add only how the number may change.
 * @module
 */
import { checkNames, familyHeader, type Labels, sampleLine } from "./exposition.ts";
import { SeriesMap } from "./series.ts";

/** How to declare a counter or a gauge. */
export interface ValueMetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /**
   * Reads the value at render time instead of keeping it here, for values kept elsewhere (CPU seconds,
   * known clients). Only without labels; `undefined` leaves the metric out of that render.
   */
  readonly collect?: () => number | undefined;
}

/** A metric holding one number per label set; see {@link Counter} and {@link Gauge}. */
export abstract class ValueMetric {
  /** The metric name. */
  readonly name: string;
  readonly #type: "counter" | "gauge";
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #series: SeriesMap<{ value: number }>;
  /** The render-time reader, when the value is kept elsewhere. */
  protected readonly collect: (() => number | undefined) | undefined;

  protected constructor(type: "counter" | "gauge", options: ValueMetricOptions) {
    this.name = options.name;
    this.#type = type;
    this.#help = options.help;
    this.#labelNames = options.labelNames ?? [];
    this.collect = options.collect;
    checkNames(this.name, this.#labelNames);
    if (this.collect && this.#labelNames.length > 0) {
      throw new TypeError(`${this.#title()} ${this.name}: collect cannot be combined with labels`);
    }
    this.#series = new SeriesMap(this.name, this.#labelNames, () => ({ value: 0 }));
  }

  /** The current value for `labels` (0 when that series was never touched), mainly for tests. */
  get(labels?: Labels): number {
    if (this.collect) return this.collect() ?? 0;
    return this.#series.peek(labels)?.value ?? 0;
  }

  /** This metric in text format; empty when it has no series. */
  render(): string {
    if (this.collect) {
      const value = this.collect();
      return value === undefined
        ? ""
        : familyHeader(this.name, this.#help, this.#type) + sampleLine(this.name, [], [], value);
    }
    const series = this.#series.sorted();
    if (series.length === 0) return "";
    let text = familyHeader(this.name, this.#help, this.#type);
    for (const { labelValues, state } of series) {
      text += sampleLine(this.name, this.#labelNames, labelValues, state.value);
    }
    return text;
  }

  /** The series for `labels`, created at 0 on first use. */
  protected series(labels: Labels | undefined): { value: number } {
    return this.#series.get(labels);
  }

  #title(): string {
    return this.#type === "counter" ? "Counter" : "Gauge";
  }
}
