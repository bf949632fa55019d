/**
 * The printed table and the pass/miss list of the targets.
 * @module
 */
import { FIGURE_ROWS, type ImplementationResults, meets } from "./figures.ts";

/** One of the targets, checked against our figure. */
export interface TargetOutcome {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** Our figure, or null when its section failed or was skipped. */
  readonly value: number | null;
  readonly op: "<=" | ">=";
  readonly target: number;
  /** null when there is no figure to judge. */
  readonly pass: boolean | null;
}

/** Checks every row that has a target. */
export function evaluateTargets(results: ImplementationResults): TargetOutcome[] {
  return FIGURE_ROWS.filter((row) => row.target !== undefined).map((row) => {
    const value = row.get(results);
    const target = row.target!;
    return {
      key: row.key,
      label: row.label,
      unit: row.unit,
      value: value ?? null,
      op: target.op,
      target: target.value,
      pass: value === undefined ? null : meets(value, target),
    };
  });
}

/**
 * A number for people: three significant-ish digits, thousands separated.
 *
 * @example
 * ```ts
 * formatNumber(1234.5); // "1,235"
 * formatNumber(0.91234); // "0.912"
 * ```
 */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "-";
  return `${(a / b).toFixed(2)}x`;
}

/**
 * The report table: our figures, the compared implementation's when given, upstream's reference figures
 * from the notes with the ratio, and each target with pass or miss.
 */
export function renderTable(
  ours: ImplementationResults,
  compare: ImplementationResults | undefined,
  quick: boolean,
): string {
  const header = ["measure", "unit", "ours"];
  if (compare) header.push("compare", "ours/compare");
  header.push("upstream (reference, from notes)", "ours/upstream", "target", "result");
  const rows: string[][] = [header];
  for (const row of FIGURE_ROWS) {
    const value = row.get(ours);
    if (value === undefined && row.upstream === undefined && row.target === undefined) continue;
    const cells = [row.label, row.unit, formatNumber(value)];
    if (compare) {
      const other = row.get(compare);
      cells.push(formatNumber(other), ratio(value, other));
    }
    cells.push(formatNumber(row.upstream), ratio(value, row.upstream));
    if (row.target) {
      cells.push(`${row.target.op} ${formatNumber(row.target.value)}`);
      cells.push(value === undefined ? "n/a" : meets(value, row.target) ? "pass" : "MISS");
    } else {
      cells.push("", "");
    }
    rows.push(cells);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  const lines = rows.map((cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const notes = [
    "KB and MB are 1,000 and 1,000,000 bytes. Latency is proxied minus direct per alternating pair.",
    "Upstream figures were measured on another machine of this project; the notes give no p99 for them.",
  ];
  if (quick) notes.unshift("QUICK RUN: tiny sizes and counts; figures and pass/miss mean nothing.");
  for (const [section, message] of Object.entries(ours.errors)) {
    notes.push(`ours: section ${section} failed: ${message}`);
  }
  for (const [section, message] of Object.entries(compare?.errors ?? {})) {
    notes.push(`compare: section ${section} failed: ${message}`);
  }
  return [...lines, "", ...notes].join("\n");
}
