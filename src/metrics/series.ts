/**
 * The per-label-set state of one metric: lookup with label checking, and a stable order for rendering.
 * @module
 */
import type { Labels } from "./exposition.ts";

/** One label set's values (in declaration order) and its state. */
export interface Series<T> {
  readonly labelValues: readonly string[];
  readonly state: T;
}

/**
 * Label sets of one metric, each with its own state, created on first use.
 *
 * @example
 * ```ts
 * const series = new SeriesMap("requests_total", ["code"], () => ({ value: 0 }));
 * series.get({ code: "200" }).value++;
 * ```
 */
export class SeriesMap<T> {
  readonly #name: string;
  readonly #labelNames: readonly string[];
  readonly #create: () => T;
  readonly #series = new Map<string, Series<T>>();

  constructor(name: string, labelNames: readonly string[], create: () => T) {
    this.#name = name;
    this.#labelNames = labelNames;
    this.#create = create;
    // A metric without labels has exactly one series, which Prometheus should see from the start (at 0).
    if (labelNames.length === 0) this.get();
  }

  /**
   * The state for a label set, created if new.
   * @throws {TypeError} when the labels do not match the metric's label names exactly.
   */
  get(labels?: Labels): T {
    const values = this.#values(labels);
    const key = values.length === 0 ? "" : JSON.stringify(values);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labelValues: values, state: this.#create() };
      this.#series.set(key, series);
    }
    return series.state;
  }

  /** The state for a label set if it exists, without creating it. */
  peek(labels?: Labels): T | undefined {
    const values = this.#values(labels);
    return this.#series.get(values.length === 0 ? "" : JSON.stringify(values))?.state;
  }

  /** All series, ordered by label values so output does not depend on the order of first use. */
  sorted(): Series<T>[] {
    return [...this.#series.values()].sort((a, b) => compareValues(a.labelValues, b.labelValues));
  }

  #values(labels: Labels | undefined): string[] {
    const given = labels === undefined ? [] : Object.keys(labels);
    const names = this.#labelNames;
    if (given.length !== names.length || names.some((name) => typeof labels?.[name] !== "string")) {
      throw new TypeError(
        `Metric ${this.#name} takes labels {${names.join(", ")}}, got {${given.join(", ")}}`,
      );
    }
    return names.map((name) => (labels as Labels)[name]);
  }
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}
