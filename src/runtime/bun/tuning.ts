/**
 * Settings that Bun reads only from the environment when the process starts, tuned for the client: a
 * process that does a little work a few dozen times a second at most, sleeping in between. The compiled
 * client re-executes itself once, before doing anything, with the ones the operator has not set; a
 * variable the operator set is kept as it is.
 *
 * - `MIMALLOC_PURGE_DELAY=-1`: Bun's allocator (mimalloc) otherwise hands freed memory back to the OS from
 *   a scavenger thread, which woke on every scrape, and the pages faulted in again on the next one. A
 *   client scraping 15 times a second spent 1.0-1.2 instead of 1.6-1.9 ms of CPU per scrape without
 *   purging (scripts/bench/README.md). The cost: freed memory stays mapped for its next use.
 * - JavaScriptCore's tier-up thresholds, lowered, and no FTL tier: at a few scrapes a second the default
 *   thresholds (500 before the first JIT, 1,000 before the optimizing one) keep the client's code in the
 *   interpreter and the baseline JIT for minutes, and FTL compiles are the costliest and pay off only in
 *   long hot loops, which a client does not have. A fresh client driven at 36 scrapes a second spent
 *   0.58-0.75 instead of 0.83-1.00 ms per scrape over its first ten seconds, and 0.47-0.69 instead of
 *   0.64-0.75 after that (scripts/bench/README.md).
 */
import process from "node:process";

/** The variables we set, and their values. */
export const CLIENT_TUNING: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_DELAY: "-1",
  BUN_JSC_thresholdForJITAfterWarmUp: "20",
  BUN_JSC_thresholdForOptimizeAfterWarmUp: "100",
  BUN_JSC_useFTLJIT: "0",
};

/** What this process was started as. */
export interface ProcessImage {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.argv`: runtime, script (or a compiled binary's embedded path), then the user's arguments. */
  readonly argv: readonly string[];
  /**
   * `process.argv0`: argv[0] as the user's shell passed it (`./client`, `/usr/local/bin/pushprox-client`).
   * In a compiled binary `argv[0]` reads "bun", so this is the only place the real one survives.
   */
  readonly argv0: string;
  /** The runtime's own flags (`bun --smol script.ts`). */
  readonly execArgv: readonly string[];
  /** `process.execPath`: the bun binary, or the compiled program. */
  readonly execPath: string;
  /** True in a `bun build --compile` binary, whose argv[1] is an embedded path the binary adds itself. */
  readonly compiled: boolean;
}

/** An execve call: program, its argv (argv[0] first) and environment. */
export interface Exec {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
}

/**
 * The exec that restarts this process with `tuning` added to its environment, or null when every variable
 * of it is set already (by us, or by the operator, whose values are kept).
 *
 * @example
 * ```ts
 * const exec = tuningExec({ env: process.env, argv: process.argv, argv0: process.argv0,
 *   execArgv: process.execArgv, execPath: process.execPath, compiled: Bun.main.startsWith("/$bunfs/") });
 * if (exec !== null) process.execve(exec.file, [...exec.args], exec.env);
 * ```
 */
export function tuningExec(
  image: ProcessImage,
  tuning: Readonly<Record<string, string>> = CLIENT_TUNING,
): Exec | null {
  const missing = Object.keys(tuning).filter((name) => image.env[name] === undefined);
  if (missing.length === 0) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(image.env)) if (value !== undefined) env[name] = value;
  for (const name of missing) env[name] = tuning[name]!;
  const [runtimeArgv0 = image.execPath, script, ...rest] = image.argv;
  if (image.compiled) {
    // The user's own argv[0], and the path they ran where it has one: `ps`, `pidof client` and
    // `pgrep -f /usr/local/bin/pushprox-client` keep finding the program, and a binary started through a
    // link named `client` still knows which program it is after the exec. A bare name was found on PATH;
    // the binary's own path then stands in (execve does not search PATH).
    const file = image.argv0.includes("/") ? image.argv0 : image.execPath;
    return { file, args: [image.argv0, ...rest], env };
  }
  const args = [runtimeArgv0, ...image.execArgv, ...(script === undefined ? [] : [script]), ...rest];
  return { file: image.execPath, args, env };
}

/** Bun's `process.execve`, which Node's types do not declare. */
type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Re-executes the running Bun process once with {@linkcode CLIENT_TUNING}, keeping its PID and argv[0];
 * does nothing under Deno, on Windows (no execve to keep the process while swapping the image), or once
 * every variable is set. Only entry points call this, before anything else runs.
 */
export function reexecWithClientTuning(): void {
  const bun = (globalThis as { Bun?: { readonly main: string } }).Bun;
  if (bun === undefined || process.platform === "win32") return;
  const exec = tuningExec({
    env: process.env,
    argv: process.argv,
    argv0: process.argv0,
    execArgv: process.execArgv,
    execPath: process.execPath,
    compiled: bun.main.startsWith("/$bunfs/"),
  });
  if (exec === null) return;
  try {
    // Does not return when it works; when it fails the client simply runs with Bun's defaults.
    (process as unknown as { execve: Execve }).execve(exec.file, [...exec.args], exec.env);
  } catch {
    // e.g. the binary was replaced on disk while running; nothing is lost but the tuning.
  }
}
