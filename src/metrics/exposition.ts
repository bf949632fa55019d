/**
 * The Prometheus text exposition format, version 0.0.4: names, escaping and number formatting. Every
 * metric type renders through these helpers so the rules live in one place.
 * @module
 */

/** Label values by label name, e.g. `{ code: "200", path: "/poll" }`. */
export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Checks a metric name and its label names, so a typo fails at registration, not as a scrape error in
 * Prometheus. Names starting with `__` are reserved by Prometheus; `reserved` adds names a type uses
 * itself (`le` for histograms).
 *
 * @throws {TypeError} naming the bad name.
 * @example
 * ```ts
 * checkNames("pushprox_http_requests_total", ["code", "path"]);
 * ```
 */
export function checkNames(
  name: string,
  labelNames: readonly string[],
  reserved: readonly string[] = [],
): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`Invalid metric name ${JSON.stringify(name)}`);
  const seen = new Set<string>();
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__") || reserved.includes(label)) {
      throw new TypeError(`Invalid label name ${JSON.stringify(label)} for metric ${name}`);
    }
    if (seen.has(label)) {
      throw new TypeError(`Duplicate label name ${JSON.stringify(label)} for metric ${name}`);
    }
    seen.add(label);
  }
}

/**
 * Escapes HELP text: backslash and newline, as the format requires.
 *
 * @example
 * ```ts
 * escapeHelp("a\\b\nc"); // "a\\\\b\\nc"
 * ```
 */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * Escapes a label value: backslash, double quote and newline.
 *
 * @example
 * ```ts
 * escapeLabelValue('say "hi"'); // 'say \\"hi\\"'
 * ```
 */
export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * Formats a sample value the way Prometheus parses it: `+Inf`, `-Inf`, `NaN`, otherwise the shortest
 * decimal form.
 *
 * @example
 * ```ts
 * formatValue(Infinity); // "+Inf"
 * formatValue(0.25);     // "0.25"
 * ```
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * The `# HELP` and `# TYPE` lines that open a metric family.
 *
 * @example
 * ```ts
 * familyHeader("up", "Whether the target is up.", "gauge");
 * ```
 */
export function familyHeader(name: string, help: string, type: "counter" | "gauge" | "histogram"): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/**
 * One sample line, labels in declaration order, an optional extra label (a histogram's `le`) last.
 *
 * @example
 * ```ts
 * sampleLine("pushprox_http_requests_total", ["code"], ["200"], 3); // 'pushprox_http_requests_total{code="200"} 3\n'
 * ```
 */
export function sampleLine(
  name: string,
  labelNames: readonly string[],
  labelValues: readonly string[],
  value: number,
  extra?: readonly [string, string],
): string {
  const pairs = labelNames.map((label, i) => `${label}="${escapeLabelValue(labelValues[i])}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  const labels = pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
  return `${name}${labels} ${formatValue(value)}\n`;
}
