/**
 * A counter: a value that only goes up (requests served, errors seen).
 * @module
 */
import type { Labels } from "./exposition.ts";
import { ValueMetric, type ValueMetricOptions } from "./value_metric.ts";

/** How to declare a counter. */
export type CounterOptions = ValueMetricOptions;

/**
 * A counter metric. Create it through `Registry.counter`.
 *
 * @example
 * ```ts
 * const requests = registry.counter({ name: "requests_total", help: "Requests.", labelNames: ["code"] });
 * requests.inc({ code: "200" });
 * ```
 */
export class Counter extends ValueMetric {
  constructor(options: CounterOptions) {
    super("counter", options);
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
    this.series(labels).value += by;
  }
}
