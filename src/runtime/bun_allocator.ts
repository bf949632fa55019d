/**
 * Bun's allocator, mimalloc, hands freed memory back to the OS from a scavenger thread. In a process that
 * does a little work a few times a second, as a PushProx client does, the scavenger wakes each time and
 * the pages it gave back fault in again on the next request: with `MIMALLOC_PURGE_DELAY=-1` (keep freed
 * pages for reuse) a client scraping 15 times a second spent 1.0-1.2 instead of 1.6-1.9 ms of CPU per
 * scrape (README, Performance). mimalloc reads its options only from the environment when the process
 * starts, so the compiled client re-executes itself once, before doing anything, with that variable set.
 * The cost: memory the client freed stays mapped for its next use instead of going back to the OS.
 * An operator's own MIMALLOC_PURGE_DELAY is left alone.
 */

/** The variable we set, and the value: never purge. */
export const PURGE_DELAY_VARIABLE = "MIMALLOC_PURGE_DELAY";
const NEVER = "-1";

/** What this process was started as. */
export interface ProcessImage {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.argv`: runtime, script (or a compiled binary's embedded path), then the user's arguments. */
  readonly argv: readonly string[];
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
 * The exec that restarts this process with the allocator setting, or null when it is already set (by us
 * or by the operator).
 *
 * @example
 * ```ts
 * const exec = allocatorExec({ env: process.env, argv: process.argv, execArgv: process.execArgv,
 *   execPath: process.execPath, compiled: Bun.main.startsWith("/$bunfs/") });
 * if (exec !== null) process.execve(exec.file, [...exec.args], exec.env);
 * ```
 */
export function allocatorExec(image: ProcessImage): Exec | null {
  if (image.env[PURGE_DELAY_VARIABLE] !== undefined) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(image.env)) if (value !== undefined) env[name] = value;
  env[PURGE_DELAY_VARIABLE] = NEVER;
  const [argv0 = image.execPath, script, ...rest] = image.argv;
  const args = image.compiled
    ? [argv0, ...rest]
    : [argv0, ...image.execArgv, ...(script === undefined ? [] : [script]), ...rest];
  return { file: image.execPath, args, env };
}
