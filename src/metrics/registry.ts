/**
 * A small Prometheus registry rendering text format 0.0.4, for the proxy's and the client's `/metrics`.
 * Written here rather than taken from a client library because those are Node-only; this one is plain
 * TypeScript and runs the same on both runtimes.
 * @module
 */
import { Counter, type CounterOptions } from "./counter.ts";
import { Gauge, type GaugeOptions } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";

export { Counter, Gauge, Histogram };
export type { CounterOptions, GaugeOptions, HistogramOptions };
export type { Labels } from "./exposition.ts";
export { DEFAULT_BUCKETS } from "./histogram.ts";

/**
 * The Content-Type of `Registry.render()` output.
 *
 * @example
 * ```ts
 * new Response(registry.render(), { headers: { "content-type": METRICS_CONTENT_TYPE } });
 * ```
 */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A set of metrics rendered together, in registration order.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const errors = registry.counter({ name: "pushprox_client_scrape_errors_total", help: "Failed scrapes." });
 * errors.inc();
 * registry.render(); // "# HELP pushprox_client_scrape_errors_total Failed scrapes.\n# TYPE ...\n... 1\n"
 * ```
 */
export class Registry {
  readonly #metrics: (Counter | Gauge | Histogram)[] = [];
  readonly #names = new Set<string>();

  /** Declares a counter. @throws {TypeError} for a bad or already registered name. */
  counter(options: CounterOptions): Counter {
    return this.#add(new Counter(options), []);
  }

  /** Declares a gauge. @throws {TypeError} for a bad or already registered name. */
  gauge(options: GaugeOptions): Gauge {
    return this.#add(new Gauge(options), []);
  }

  /** Declares a histogram. @throws {TypeError} for a bad or already registered name. */
  histogram(options: HistogramOptions): Histogram {
    return this.#add(new Histogram(options), ["_bucket", "_sum", "_count"]);
  }

  /** All metrics in text format 0.0.4: registration order, series ordered by label values. */
  render(): string {
    return this.#metrics.map((metric) => metric.render()).join("");
  }

  #add<M extends Counter | Gauge | Histogram>(metric: M, suffixes: readonly string[]): M {
    // A histogram's _sum/_count series would collide with a metric of that name, so those names are taken too.
    const names = [metric.name, ...suffixes.map((suffix) => metric.name + suffix)];
    const taken = names.find((name) => this.#names.has(name));
    if (taken !== undefined) throw new TypeError(`Metric name ${taken} is already registered`);
    for (const name of names) this.#names.add(name);
    this.#metrics.push(metric);
    return metric;
  }
}
