/**
 * CPU time and memory of a process, read from Linux `/proc`. Both figures cover every thread of the
 * process, which is what the targets are about (a runtime's GC and I/O threads count).
 * @module
 */
import { readFileSync } from "node:fs";

/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every architecture we run on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * utime + stime in milliseconds from the text of `/proc/PID/stat`. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted from the last `)`.
 *
 * @example
 * ```ts
 * parseCpuMs("42 (proxy) S 1 42 42 0 -1 4194304 100 0 0 0 7 3 0 0"); // 100
 * ```
 * @throws {SyntaxError} when the text is not a stat line.
 */
export function parseCpuMs(statText: string): number {
  const close = statText.lastIndexOf(")");
  const fields = close < 0 ? [] : statText.slice(close + 2).split(" ");
  // After the name: state(3) ppid(4) ... utime(14) stime(15), so indexes 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new SyntaxError(`Cannot read utime/stime from "${statText.slice(0, 80)}"`);
  }
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * A `kB` field of `/proc/PID/status` (e.g. `VmRSS`, `VmHWM`) in bytes.
 *
 * @example
 * ```ts
 * parseStatusBytes("Name:\tproxy\nVmRSS:\t  9300 kB\n", "VmRSS"); // 9523200
 * ```
 * @throws {SyntaxError} when the field is missing.
 */
export function parseStatusBytes(statusText: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(statusText);
  if (match === null) throw new SyntaxError(`No ${field} line in /proc status text`);
  return Number(match[1]) * 1024;
}

/** CPU milliseconds (user + system) the process has used so far. */
export function cpuMs(pid: number): number {
  return parseCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** Resident set size now, in bytes. */
export function rssBytes(pid: number): number {
  return parseStatusBytes(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
}

/** Peak resident set size since the process started, in bytes. */
export function peakRssBytes(pid: number): number {
  return parseStatusBytes(readFileSync(`/proc/${pid}/status`, "utf8"), "VmHWM");
}

/** Sum of {@link cpuMs} over several processes. */
export function totalCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}
