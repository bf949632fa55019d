/**
 * Running the build's external tools (bun, deno, tar, zip) and failing with what they said.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** Where and how long a command may run. */
export interface ExecOptions {
  readonly cwd?: string;
  /**
   * Killed (SIGKILL, with everything it started) after this long; the failure then says it timed out.
   * The command then runs in its own process group, so that a stuck grandchild dies too.
   */
  readonly timeoutMs?: number;
  readonly env?: Record<string, string | undefined>;
}

/** What a finished command printed. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` to completion.
 *
 * @example
 * ```ts
 * const { stdout } = await exec("tar", ["--version"]);
 * ```
 * @throws {Error} when it cannot start, exits non-zero or times out; the message holds the command
 *   line and the tail of its stderr.
 */
export function exec(
  command: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const line = [command, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.timeoutMs !== undefined,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid === undefined) return;
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run "${line}": ${error.message}`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut ? `timed out after ${options.timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`Command "${line}" ${why}${tail(stderr || stdout)}`));
    });
  });
}

/** The last few lines of tool output, ANSI colours removed, for an error message. */
function tail(text: string): string {
  // deno colours its errors even into a pipe.
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "").trim();
  if (plain === "") return "";
  return `:\n  ${plain.split("\n").slice(-8).join("\n  ")}`;
}

/**
 * The project's pinned copy of a tool (`node_modules/.bin/<name>`, from package.json) when installed,
 * so every machine builds with the same bun and deno; otherwise the name, left to PATH.
 */
export function findTool(root: string, name: string): string {
  const pinned = join(root, "node_modules", ".bin", name);
  return existsSync(pinned) ? pinned : name;
}

/**
 * Runs `items` through `work` with at most `limit` running at once; resolves when all are done and
 * rejects with the first failure (after the running ones settle, so no work is left behind).
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) throw failures[0];
}
