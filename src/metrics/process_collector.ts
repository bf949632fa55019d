/**
 * The standard `process_*` metrics, fed by a function the entry point passes in (it knows the runtime),
 * so this folder never imports `node:process` or a runtime global.
 * @module
 */
import type { Registry } from "./registry.ts";

/** A snapshot of the process; leave out what the runtime cannot tell and that metric is not shown. */
export interface ProcessStats {
  /** Resident set size in bytes. */
  readonly residentMemoryBytes?: number;
  /** JavaScript heap in use, in bytes. */
  readonly heapBytes?: number;
  /** User plus system CPU time used so far, in seconds. */
  readonly cpuSecondsTotal?: number;
  /** Process start as Unix time in seconds. */
  readonly startTimeSeconds?: number;
  /** Open file descriptors (sockets included): what runs out first with many pollers. */
  readonly openFds?: number;
  /** The file descriptor limit. */
  readonly maxFds?: number;
}

/**
 * Registers `process_resident_memory_bytes`, `process_heap_bytes`, `process_cpu_seconds_total`,
 * `process_start_time_seconds`, `process_open_fds` and `process_max_fds`, read through `read` at each
 * render (once per render, shared by all six).
 *
 * @example
 * ```ts
 * registerProcessMetrics(registry, () => ({ residentMemoryBytes: process.memoryUsage.rss() }));
 * ```
 */
export function registerProcessMetrics(registry: Registry, read: () => ProcessStats): void {
  // One snapshot per render: the first metric to render reads it, the others reuse it within the same tick.
  let snapshot: ProcessStats | undefined;
  const stat = (pick: (stats: ProcessStats) => number | undefined) => () => {
    if (snapshot === undefined) {
      snapshot = read();
      queueMicrotask(() => (snapshot = undefined));
    }
    return pick(snapshot);
  };
  registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident set size of the process, in bytes.",
    collect: stat((s) => s.residentMemoryBytes),
  });
  registry.gauge({
    name: "process_heap_bytes",
    help: "JavaScript heap in use, in bytes.",
    collect: stat((s) => s.heapBytes),
  });
  registry.counter({
    name: "process_cpu_seconds_total",
    help: "CPU time (user plus system) used by the process, in seconds.",
    collect: stat((s) => s.cpuSecondsTotal),
  });
  registry.gauge({
    name: "process_start_time_seconds",
    help: "When the process started, as Unix time in seconds.",
    collect: stat((s) => s.startTimeSeconds),
  });
  registry.gauge({
    name: "process_open_fds",
    help: "File descriptors the process has open, sockets included.",
    collect: stat((s) => s.openFds),
  });
  registry.gauge({
    name: "process_max_fds",
    help: "Limit on the file descriptors the process may open.",
    collect: stat((s) => s.maxFds),
  });
}
