/**
 * A gauge: a value that goes up and down (connected clients, memory in use).
 * @module
 */
import { checkNames, familyHeader, type Labels, sampleLine } from "./exposition.ts";
import { SeriesMap } from "./series.ts";

/** How to declare a gauge. */
export interface GaugeOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /**
   * Reads the value at render time, so it is never stale (e.g. the number of known clients). Only
   * without labels; `set`/`inc`/`dec` then throw. `undefined` leaves the metric out of that render.
   */
  readonly collect?: () => number | undefined;
}

/**
 * A gauge metric. Create it through `Registry.gauge`.
 *
 * @example
 * ```ts
 * const inFlight = registry.gauge({ name: "scrapes_in_flight", help: "Scrapes waiting for a push." });
 * inFlight.inc();
 * inFlight.dec();
 * ```
 */
export class Gauge {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #collect: (() => number | undefined) | undefined;
  readonly #series: SeriesMap<{ value: number }>;

  constructor(options: GaugeOptions) {
    this.name = options.name;
    this.#help = options.help;
    this.#labelNames = options.labelNames ?? [];
    this.#collect = options.collect;
    checkNames(this.name, this.#labelNames);
    if (this.#collect && this.#labelNames.length > 0) {
      throw new TypeError(`Gauge ${this.name}: collect cannot be combined with labels`);
    }
    this.#series = new SeriesMap(this.name, this.#labelNames, () => ({ value: 0 }));
  }

  /** Sets the series for `labels` to `value`. */
  set(value: number, labels?: Labels): void {
    this.#state(labels).value = value;
  }

  /** Adds `by` (default 1). */
  inc(labels?: Labels, by = 1): void {
    this.#state(labels).value += by;
  }

  /** Subtracts `by` (default 1). */
  dec(labels?: Labels, by = 1): void {
    this.#state(labels).value -= by;
  }

  /** The current value for `labels` (0 when never set), mainly for tests. */
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
        : familyHeader(this.name, this.#help, "gauge") + sampleLine(this.name, [], [], value);
    }
    const series = this.#series.sorted();
    if (series.length === 0) return "";
    let text = familyHeader(this.name, this.#help, "gauge");
    for (const { labelValues, state } of series) {
      text += sampleLine(this.name, this.#labelNames, labelValues, state.value);
    }
    return text;
  }

  #state(labels: Labels | undefined): { value: number } {
    if (this.#collect) {
      throw new TypeError(`Gauge ${this.name} reads its value through collect; it cannot be set`);
    }
    return this.#series.get(labels);
  }
}
