/**
 * The two compilers that turn an entry point into a single-file executable, and the choice between
 * them. deno compile is preferred (smaller binaries, the runtime the project is developed on) but
 * needs its `denort` runtime, which it downloads on first use; bun build --compile fetches its target
 * runtimes from the npm registry and so works wherever `npm ci` works.
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "./build_exec.ts";
import { bunDefines, type Stamp } from "./build_stamp.ts";
import type { Target } from "./build_targets.ts";

/** A compiler name. */
export type Engine = "deno" | "bun";

/**
 * Permissions baked into deno-compiled binaries: the same set `deno task proxy|client` grants
 * (network, TLS files, env, hostname), so a compiled binary never prompts.
 */
export const DENO_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-env",
  "--allow-sys",
];

/** How long the deno compile probe may take: a denort download is ~40 MB; an offline DNS failure is ~2 s. */
export const DENO_PROBE_TIMEOUT_MS = 60_000;

/** The outcome of asking whether deno compile can produce binaries on this machine. */
export type DenoProbe = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Compiles a one-line module with deno compile for `denoTarget`, the cheapest reliable test that
 * denort can be had: it succeeds at once when denort is cached, downloads it (and so caches it for the
 * real build) on a connected machine, and fails within seconds offline. Runs in a fresh temp directory
 * so no project config is involved.
 */
export async function probeDenoCompile(
  deno: string,
  denoTarget: string,
  timeoutMs = DENO_PROBE_TIMEOUT_MS,
): Promise<DenoProbe> {
  const dir = await mkdtemp(join(tmpdir(), "pushprox-deno-probe-"));
  try {
    await writeFile(join(dir, "probe.ts"), "console.log('ok');\n");
    await exec(deno, [
      "compile",
      "--quiet",
      "--target",
      denoTarget,
      "--output",
      join(dir, "probe"),
      "probe.ts",
    ], {
      cwd: dir,
      timeoutMs,
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: firstCause(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The most telling line of a tool failure (deno puts the root cause last). */
function firstCause(error: unknown): string {
  const lines = String(error instanceof Error ? error.message : error).split("\n").map((l) => l.trim());
  const cause = lines.filter((l) => l !== "" && !l.startsWith("Stack backtrace")).at(-1) ?? "";
  return (lines.find((l) => l.includes("error sending request")) ?? cause).replace(/^\d+: /, "").slice(
    0,
    300,
  );
}

/** One binary to compile. */
export interface CompileJob {
  readonly root: string;
  /** Entry module, absolute. */
  readonly entry: string;
  /** Output file, absolute, including ".exe" for Windows. */
  readonly outfile: string;
  readonly target: Target;
  readonly stamp: Stamp;
}

/**
 * bun build --compile, cross-compiling for `job.target`. (No Windows version resource: bun sets one
 * only when compiling on Windows.) Daemons should behave the same whatever
 * directory they start in, so the binary does not pick up `.env` or `bunfig.toml` from there.
 *
 * `--bytecode` ships JavaScriptCore bytecode beside the source, so a start skips parsing and compiling
 * the bundle to bytecode: the proxy listened 17-19 instead of 30-36 ms after start, and the client
 * (which starts twice, see src/runtime/bun/tuning.ts) 27-30 instead of 57-65 ms, at the same RSS
 * (`npm run bench -- --only=startup`, two runs each). Bytecode with ES modules needs `--format=esm`.
 */
export async function compileWithBun(bun: string, job: CompileJob): Promise<void> {
  await exec(bun, [
    "build",
    "--compile",
    "--bytecode",
    "--format=esm",
    `--target=${job.target.bunTarget}`,
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    ...bunDefines(job.stamp),
    "--outfile",
    job.outfile,
    job.entry,
  ], { cwd: job.root });
}

/**
 * deno compile for `job.target`, with build info stamped through `importMap` (see build_stamp.ts).
 * @throws {RangeError} for a target deno cannot compile for.
 */
export async function compileWithDeno(deno: string, job: CompileJob, importMap: string): Promise<void> {
  if (job.target.denoTarget === null) {
    throw new RangeError(`Cannot compile ${job.target.name} with deno: deno compile has no runtime for it`);
  }
  await exec(deno, [
    "compile",
    "--quiet",
    ...DENO_PERMISSIONS,
    "--import-map",
    importMap,
    "--target",
    job.target.denoTarget,
    "--output",
    job.outfile,
    job.entry,
  ], { cwd: job.root });
}

/**
 * Which engine builds `target`: the preferred one, except that musl targets always go to bun because
 * deno compile ships no musl runtime.
 */
export function engineFor(target: Target, preferred: Engine): Engine {
  return preferred === "deno" && target.denoTarget !== null ? "deno" : "bun";
}

/** `<tool> --version` reduced to the version number, e.g. "2.9.6" or "1.4.5". */
export async function toolVersion(tool: string): Promise<string> {
  const { stdout } = await exec(tool, ["--version"]);
  const match = /\d+\.\d+\.\d+\S*/.exec(stdout);
  if (match === null) throw new SyntaxError(`Cannot parse the version of ${tool} from "${stdout.trim()}"`);
  return match[0];
}
