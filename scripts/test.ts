/**
 * The whole test suite in one command (`npm test`): first the source checks (`deno fmt --check`, `deno lint`,
 * `deno check`), which stop the run when one fails, then unit tests under Deno and Bun, the release build,
 * the end-to-end and interop tests once per implementation (deno, bun, compiled binary), then the rest of
 * `test/` (built binaries, fuzzing) once. Prints a
 * table of steps and, as its last line, `N passed, M failed`; exits non-zero if anything failed or
 * nothing ran.
 *
 * Run as `deno run -A scripts/test.ts [--only=unit|e2e] [--impl=deno,bun,binary]`.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  parseBunOutput,
  parseDenoOutput,
  settleCounts,
  type TestCounts,
} from "../test/support/test_summary.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const DENO = join(REPO, "node_modules/.bin/deno");
const BUN = join(REPO, "node_modules/.bin/bun");
const IMPLEMENTATIONS = ["deno", "bun", "binary"] as const;
type Implementation = (typeof IMPLEMENTATIONS)[number];

/** A test runner can hang (a stuck long poll); seven steps of at most 10 minutes fit in CI's 90. */
const STEP_TIMEOUT_MS = 10 * 60_000;

/** One command of the run. */
interface Step {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** How to read its output; "build" steps count only as a failure when they fail. */
  readonly parser: "deno" | "bun" | "build";
  /** Name of a step that must have succeeded for this one to be worth running. */
  readonly requires?: string;
  /** A failure here stops the run: every later step is reported as skipped. */
  readonly gate?: boolean;
}

/** What a step did. */
interface StepResult extends TestCounts {
  readonly name: string;
  readonly exitCode: number | null;
  readonly seconds: number;
  readonly note: string;
}

/** Parsed command line. */
interface Options {
  readonly only: "all" | "unit" | "e2e";
  readonly impls: readonly Implementation[];
}

/** Reads the command line; throws TypeError naming a bad option. */
export function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { only: { type: "string" }, impl: { type: "string" } },
    strict: true,
  });
  const only = values.only ?? "all";
  if (only !== "all" && only !== "unit" && only !== "e2e") {
    throw new TypeError(`Cannot use --only="${only}": expected unit or e2e`);
  }
  const impls = (values.impl ?? IMPLEMENTATIONS.join(",")).split(",").filter((name) => name !== "");
  for (const impl of impls) {
    if (!(IMPLEMENTATIONS as readonly string[]).includes(impl)) {
      throw new TypeError(`Cannot use --impl="${impl}": expected a list of ${IMPLEMENTATIONS.join(", ")}`);
    }
  }
  return { only, impls: impls as Implementation[] };
}

/** Folders whose `*_test.ts` files are unit tests (scripts/ holds the build's own tests). */
function unitDirs(): string[] {
  const hasTests = (dir: string): boolean =>
    existsSync(join(REPO, dir)) &&
    readdirSync(join(REPO, dir), { recursive: true }).some((file) => String(file).endsWith("_test.ts"));
  return ["src/", "scripts/"].filter(hasTests);
}

/** Cross-process test folders that depend on the implementation: run once per implementation. */
const PER_IMPL_DIRS = ["test/e2e/", "test/interop/"];

/** A source check: a "build" step that ends the run when it fails; NO_COLOR so its output can be read back. */
const check = (name: string, args: string[]): Step => ({
  name,
  command: DENO,
  args,
  env: { NO_COLOR: "1" },
  parser: "build",
  gate: true,
});
/** Checks that take seconds and catch what review would otherwise have to: the run's first steps. */
const CHECKS: readonly Step[] = [
  check("format (deno fmt --check)", ["fmt", "--check"]),
  check("lint (deno lint)", ["lint"]),
  check("types (deno check)", ["check", "src/", "test/", "scripts/"]),
];

/**
 * Where the first problem a check reported is, as `file:line: what`, with the file relative to the
 * repository; undefined when the output names none.
 */
export function firstProblem(output: string, repo = REPO): string | undefined {
  const relative = (path: string) => path.startsWith(repo) ? path.slice(repo.length) : path;
  // deno fmt --check: "from /abs/file.ts:" then a diff whose lines start with the line number.
  const unformatted = /^from (.+):\n\s*(\d+) \|/m.exec(output);
  if (unformatted) return `${relative(unformatted[1]!)}:${unformatted[2]}: not formatted`;
  // deno lint: "error[rule]: message" then " --> /abs/file.ts:line:column".
  const lint = /^error\[([\w-]+)\]: .*\n\s*--> (\S+)/m.exec(output);
  if (lint) return `${relative(lint[2]!)}: ${lint[1]}`;
  // deno check: "TS1234 [ERROR]: message", the source line, then "at file:///abs/file.ts:line:column".
  const type = /^(TS\d+) \[ERROR\]: (.*)\n[\s\S]*?^\s+at (?:file:\/\/)?(\S+)/m.exec(output);
  if (type) return `${relative(type[3]!)}: ${type[1]} ${type[2]}`;
  return undefined;
}

/** The steps for these options, in order. */
export function plan(options: Options): Step[] {
  const steps: Step[] = [...CHECKS];
  if (options.only !== "e2e") {
    const dirs = unitDirs();
    steps.push({ name: "unit (deno)", command: DENO, args: ["test", "-A", ...dirs], parser: "deno" });
    steps.push({
      name: "unit (bun)",
      command: BUN,
      args: ["test", ...dirs.map((dir) => `./${dir}`)],
      parser: "bun",
    });
  }
  if (options.only !== "unit") {
    const build = options.impls.includes("binary");
    // test/binaries checks every release target and archive, so the build is the full one, not --host.
    if (build) {
      steps.push({ name: "build", command: DENO, args: ["run", "-A", "scripts/build.ts"], parser: "build" });
    }
    for (const impl of options.impls) {
      steps.push({
        name: `e2e + interop (${impl})`,
        command: DENO,
        args: ["test", "-A", ...PER_IMPL_DIRS],
        env: { PUSHPROX_IMPL: impl },
        parser: "deno",
        requires: impl === "binary" ? "build" : undefined,
      });
      if (impl === "bun") {
        // The node:http fallback (PUSHPROX_BUN_SERVER=node) must keep passing everything the default does.
        steps.push({
          name: "e2e + interop (bun, node:http server)",
          command: DENO,
          args: ["test", "-A", ...PER_IMPL_DIRS],
          env: { PUSHPROX_IMPL: impl, PUSHPROX_BUN_SERVER: "node" },
          parser: "deno",
        });
      }
    }
    // The rest of test/ (built binaries, fuzzing, harness, benchmark smoke) does not depend on the
    // implementation: once. Without a build (a quick --impl=deno run) the binaries are left out.
    const ignored = build ? PER_IMPL_DIRS : [...PER_IMPL_DIRS, "test/binaries/"];
    steps.push({
      name: build ? "rest of test/ (binaries, fuzz, ...)" : "rest of test/ (no binaries)",
      command: DENO,
      args: ["test", "-A", `--ignore=${ignored.join(",")}`, "test/"],
      parser: "deno",
      requires: build ? "build" : undefined,
    });
  }
  return steps;
}

/** Runs one step with its output shown live and kept for parsing. */
function runStep(step: Step): Promise<StepResult> {
  const started = Date.now();
  process.stdout.write(`\n=== ${step.name}: ${[step.command, ...step.args].join(" ")}\n`);
  return new Promise((resolve) => {
    // Its own process group, so a timeout or leftover processes can be ended as a whole.
    const child = spawn(step.command, [...step.args], {
      cwd: REPO,
      env: { ...process.env, ...step.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let note = "";
    child.stdout.on("data", (chunk: Uint8Array) => {
      process.stdout.write(chunk);
      output += new TextDecoder().decode(chunk);
    });
    child.stderr.on("data", (chunk: Uint8Array) => {
      process.stderr.write(chunk);
      output += new TextDecoder().decode(chunk);
    });
    const timer = setTimeout(() => {
      note = `timed out after ${STEP_TIMEOUT_MS / 60_000} min`;
      killGroup(child.pid, "SIGKILL");
    }, STEP_TIMEOUT_MS);
    const finish = (exitCode: number | null, error?: Error): void => {
      clearTimeout(timer);
      if (error) note = `could not start: ${error.message}`;
      // Tests must stop what they start; anything still in the group is an orphan to report and end.
      if (killGroup(child.pid, "SIGKILL")) note ||= "left processes running (killed)";
      const counts = step.parser === "deno"
        ? parseDenoOutput(output)
        : step.parser === "bun"
        ? parseBunOutput(output)
        : { passed: 0, failed: 0, skipped: 0, found: true };
      const settled = settleCounts(counts, note.startsWith("left") ? 1 : exitCode);
      if (step.gate && exitCode !== 0) note ||= firstProblem(output) ?? "";
      resolve({ ...settled, name: step.name, exitCode, seconds: (Date.now() - started) / 1000, note });
    };
    let finished = false;
    const once = (exitCode: number | null, error?: Error): void => {
      if (!finished) finish(exitCode, error);
      finished = true;
    };
    child.once("error", (error) => once(null, error));
    child.once("close", (code) => once(code));
    // A leftover grandchild holding the output pipes would keep "close" from ever coming.
    child.once("exit", (code) => setTimeout(() => once(code), 10_000).unref());
  });
}

/**
 * Kills what is left of a process group; true if a live member remained. Zombies (exited, waiting for
 * init to reap them) are not counted: they hold no port and no CPU.
 */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  const live = liveGroupMembers(pid);
  try {
    process.kill(-pid, signal);
  } catch {
    return false;
  }
  return live ?? true;
}

/** Whether a non-zombie process is in group `pgid`, from /proc; undefined where /proc is missing. */
function liveGroupMembers(pgid: number): boolean | undefined {
  try {
    return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).some((name) => {
      try {
        // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(pgrp) === pgid && state !== "Z";
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

/** A step that did not run. */
function skipped(step: Step): StepResult {
  return {
    name: step.name,
    passed: 0,
    failed: 0,
    skipped: 0,
    found: true,
    exitCode: 0,
    seconds: 0,
    note: "skipped",
  };
}

/** The per-step table. */
function table(results: readonly StepResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.failed > 0 || r.exitCode !== 0 ? "FAILED" : r.note.startsWith("skipped") ? "skipped" : "ok",
    String(r.passed),
    String(r.failed),
    String(r.skipped),
    `${r.seconds.toFixed(1)}s`,
    r.note || (r.found ? "" : "no test summary in output"),
  ]);
  const header = ["step", "result", "passed", "failed", "skipped", "time", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const results: StepResult[] = [];
  const steps = plan(options);
  for (const step of steps) {
    // Results line up with steps: a failed gate ends the run, its later steps listed as skipped.
    const gate = results.find((r, i) => steps[i]!.gate && (r.exitCode !== 0 || r.failed > 0));
    if (gate) {
      results.push({ ...skipped(step), note: `skipped: ${gate.name} failed` });
      continue;
    }
    const prerequisite = results.find((r) => r.name === step.requires);
    if (prerequisite && (prerequisite.exitCode !== 0 || prerequisite.failed > 0)) {
      // Counted once, as the prerequisite's failure; running would only repeat it.
      results.push({ ...skipped(step), note: `skipped: ${step.requires} failed` });
      continue;
    }
    results.push(await runStep(step));
  }
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  process.stdout.write(`\n${table(results)}\n\n`);
  // The last line, alone, in the form CI reads.
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

if (import.meta.main) process.exit(await main());
