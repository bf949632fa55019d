/**
 * Reads what `deno test` and `bun test` print and turns it into counts of passed and failed tests, for
 * the runner's table and its closing `N passed, M failed` line.
 *
 * Deno counts a `describe` as one test and its `it`s as "steps" (`ok | 3 passed (12 steps) | 0 failed`),
 * so its summary line alone cannot say how many tests ran; the per-test lines can, so those are counted
 * (leaves only) and the summary line is the fallback.
 * @module
 */

/** Counts read from one runner's output. */
export interface TestCounts {
  readonly passed: number;
  readonly failed: number;
  /** Ignored or skipped tests. */
  readonly skipped: number;
  /** False when the output held no summary at all (the runner crashed or did not start). */
  readonly found: boolean;
}

/** Removes terminal colour codes. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

const DENO_RESULT = /^(\s*)(.+?) \.\.\. (ok|FAILED|ignored)(?: \(.*\))?\s*$/;
const DENO_SUMMARY =
  /^(ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored)?/m;

/**
 * Counts from `deno test` output: leaf tests (an `it`, or a top-level test without steps) from the
 * per-test lines. A failure the lines cannot show (a failing `after` hook) still counts, from the summary.
 *
 * @example
 * ```ts
 * parseDenoOutput("a ... ok (1ms)\n\nok | 1 passed | 0 failed (5ms)\n"); // { passed: 1, failed: 0, ... }
 * ```
 */
export function parseDenoOutput(output: string): TestCounts {
  const lines = stripAnsi(output).split("\n");
  const summary = lines.map((line) => DENO_SUMMARY.exec(line)).filter((match) => match !== null).at(-1);
  if (!summary) return { passed: 0, failed: 0, skipped: 0, found: false };
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const seen: Array<{ indent: number; status: string }> = [];
  let inCapturedOutput = false;
  for (const line of lines) {
    // What a test printed is shown between these markers and may look like anything.
    if (/^-+ output -+$/.test(line)) inCapturedOutput = true;
    if (/^-+ output end -+$/.test(line)) inCapturedOutput = false;
    const match = inCapturedOutput ? null : DENO_RESULT.exec(line);
    if (!match) continue;
    const indent = match[1]!.length;
    const status = match[3]!;
    // Children are reported before their parent, indented deeper.
    let first = seen.length;
    while (first > 0 && seen[first - 1]!.indent > indent) first--;
    const children = seen.splice(first);
    seen.push({ indent, status });
    if (children.length > 0) {
      // A parent failing on its own (a failing hook) is a failure no child line shows.
      if (status === "FAILED" && !children.some((child) => child.status === "FAILED")) failed++;
      continue;
    }
    if (status === "ok") passed++;
    else if (status === "FAILED") failed++;
    else skipped++;
  }
  if (passed + failed === 0) {
    passed = Number(summary[2]) + Number(summary[3] ?? 0);
    failed = Number(summary[4]) + Number(summary[5] ?? 0);
  }
  if (failed === 0 && (summary[1] === "FAILED" || Number(summary[4]) > 0)) {
    failed = Math.max(1, Number(summary[4]));
  }
  return { passed, failed, skipped, found: true };
}

/**
 * Counts from `bun test` output (` 12 pass`, ` 1 fail`, ` 2 skip` lines). Errors between tests (a failing
 * hook) count as failures.
 */
export function parseBunOutput(output: string): TestCounts {
  const text = stripAnsi(output);
  const count = (word: string): number | undefined => {
    const matches = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "gm"))];
    const last = matches.at(-1);
    return last ? Number(last[1]) : undefined;
  };
  const passed = count("pass");
  const failed = count("fail");
  if (passed === undefined && failed === undefined) return { passed: 0, failed: 0, skipped: 0, found: false };
  const errors = count("errors?") ?? 0;
  return {
    passed: passed ?? 0,
    failed: (failed ?? 0) + errors,
    skipped: (count("skip") ?? 0) + (count("todo") ?? 0),
    found: true,
  };
}

/**
 * The counts a step contributes given its exit code: a runner that failed without saying how many tests
 * failed (a type error, a crash, a timeout) counts as one failure, so it can never look green.
 */
export function settleCounts(counts: TestCounts, exitCode: number | null): TestCounts {
  if (exitCode !== 0 && counts.failed === 0) return { ...counts, failed: 1 };
  return counts;
}
