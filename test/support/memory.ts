/**
 * Memory of another process as Linux accounts it: resident set (VmRSS) and its peak (VmHWM) from
 * `/proc/<pid>/status`, and a reset of that peak through `/proc/<pid>/clear_refs`, so a test can ask
 * "how far did this one scrape raise the process' memory?" rather than "what was the worst since start?".
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Resident memory of a process, in bytes. */
export interface MemoryStatus {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: highest resident since start or since the last {@link resetPeak}. */
  readonly peakBytes: number;
}

/**
 * Reads VmRSS and VmHWM from the text of a `/proc/<pid>/status` file; `source` names it in errors.
 *
 * @example
 * ```ts
 * parseProcStatus("VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"); // { rssBytes: 1048576, peakBytes: 2097152 }
 * ```
 * @throws {SyntaxError} when a field is missing or not a number of kB.
 */
export function parseProcStatus(text: string, source = "a /proc status file"): MemoryStatus {
  return { rssBytes: field(text, "VmRSS", source), peakBytes: field(text, "VmHWM", source) };
}

function field(text: string, name: string, source: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}:`));
  if (line === undefined) {
    // Kernel threads and zombies have no Vm* lines at all.
    throw new SyntaxError(
      `Cannot read ${name} from ${source}: no "${name}:" line (a zombie or kernel thread?)`,
    );
  }
  const match = /^\w+:\s+(\d+) kB$/.exec(line.trim());
  if (match === null) {
    throw new SyntaxError(`Cannot read ${name} from ${source}: "${line.trim()}" is not "<n> kB"`);
  }
  return Number(match[1]) * 1024;
}

/**
 * The current and peak resident memory of process `pid`.
 *
 * @example
 * ```ts
 * const { rssBytes, peakBytes } = readMemory(proxy.process.pid!);
 * ```
 * @throws {Error} when the process does not exist (or /proc is missing), with the path in the message.
 */
export function readMemory(pid: number): MemoryStatus {
  const path = `/proc/${pid}/status`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${(error as Error).message} (has process ${pid} exited?)`, {
      cause: error,
    });
  }
  return parseProcStatus(text, path);
}

/**
 * Resets process `pid`'s peak (VmHWM) to its current resident memory, by writing 5 to
 * `/proc/<pid>/clear_refs`. That needs to own the process or be root.
 *
 * @example
 * ```ts
 * resetPeak(client.process.pid!);
 * const before = readMemory(client.process.pid!);
 * ```
 * @throws {Error} when the write is refused, saying so: a peak that cannot be reset would make every
 * measurement after it meaningless.
 */
export function resetPeak(pid: number): void {
  const path = `/proc/${pid}/clear_refs`;
  try {
    writeFileSync(path, "5");
  } catch (error) {
    throw new Error(
      `Cannot reset the peak memory of process ${pid}: writing 5 to ${path} failed: ${
        (error as Error).message
      } ` +
        "(it needs root or the same user, and a Linux kernel with clear_refs)",
      { cause: error },
    );
  }
}
