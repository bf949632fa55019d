/**
 * A gauge: a value that goes up and down (connected clients, memory in use).
 * @module
 */
import type { Labels } from "./exposition.ts";
import { ValueMetric, type ValueMetricOptions } from "./value_metric.ts";

/** How to declare a gauge; with `collect`, `set`/`inc`/`dec` throw. */
export type GaugeOptions = ValueMetricOptions;

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
export class Gauge extends ValueMetric {
  constructor(options: GaugeOptions) {
    super("gauge", options);
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

  #state(labels: Labels | undefined): { value: number } {
    if (this.collect) {
      throw new TypeError(`Gauge ${this.name} reads its value through collect; it cannot be set`);
    }
    return this.series(labels);
  }
}
