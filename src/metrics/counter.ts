/**
 * A counter: a value that only goes up (requests served, errors seen).
 * @module
 */
import { checkNames, familyHeader, type Labels, sampleLine } from "./exposition.ts";
import { SeriesMap } from "./series.ts";

/** How to declare a counter. */
export interface CounterOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /**
   * Reads the value at render time instead of counting, for totals kept elsewhere (CPU seconds).
   * Only without labels; `undefined` leaves the metric out of that render.
   */
  readonly collect?: () => number | undefined;
}

/**
 * A counter metric. Create it through `Registry.counter`.
 *
 * @example
 * ```ts
 * const requests = registry.counter({ name: "requests_total", help: "Requests.", labelNames: ["code"] });
 * requests.inc({ code: "200" });
 * ```
 */
export class Counter {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #collect: (() => number | undefined) | undefined;
  readonly #series: SeriesMap<{ value: number }>;

  constructor(options: CounterOptions) {
    this.name = options.name;
    this.#help = options.help;
    this.#labelNames = options.labelNames ?? [];
    this.#collect = options.collect;
    checkNames(this.name, this.#labelNames);
    if (this.#collect && this.#labelNames.length > 0) {
      throw new TypeError(`Counter ${this.name}: collect cannot be combined with labels`);
    }
    this.#series = new SeriesMap(this.name, this.#labelNames, () => ({ value: 0 }));
  }

  /**
   * Adds `by` (default 1) to the series for `labels`.
   * @throws {RangeError} when `by` is negative or not finite: counters never go down.
   * @throws {TypeError} when the labels do not match the declared label names.
   */
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0 && Number.isFinite(by))) {
      throw new RangeError(
        `Counter ${this.name} cannot be increased by ${by}: expected a finite number, zero or more`,
      );
    }
    this.#series.get(labels).value += by;
  }

  /** The current value for `labels` (0 when that series was never touched), mainly for tests. */
  get(labels?: Labels): number {
    if (this.#collect) return this.#collect() ?? 0;
    return this.#series.peek(labels)?.value ?? 0;
  }

  /** This metric in text format; empty when it has no series. */
  render(): string {
    if (this.#collect) {
      const value = this.#collect();
      return value === undefined
        ? ""
        : familyHeader(this.name, this.#help, "counter") + sampleLine(this.name, [], [], value);
    }
    const series = this.#series.sorted();
    if (series.length === 0) return "";
    let text = familyHeader(this.name, this.#help, "counter");
    for (const { labelValues, state } of series) {
      text += sampleLine(this.name, this.#labelNames, labelValues, state.value);
    }
    return text;
  }
}
