/**
 * Real Prometheus and node exporter from Debian, on free loopback ports with throwaway config and data
 * directories, plus the few API calls the end-to-end tests need. A missing binary fails the test with
 * the package to install: an end-to-end test that skips would hide that nothing was checked.
 * @module
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";
import type { ManagedProcess, ProcessSet } from "./process.ts";
import { GiveUp, waitFor } from "./wait.ts";

/** Where Debian's `prometheus` package puts the server. */
export const PROMETHEUS_BIN = "/usr/bin/prometheus";
/** Where Debian's `prometheus` package puts promtool. */
export const PROMTOOL_BIN = "/usr/bin/promtool";
/** Where Debian's `prometheus-node-exporter` package puts the exporter. */
export const NODE_EXPORTER_BIN = "/usr/bin/prometheus-node-exporter";

/** Throws an Error naming the Debian package when `path` is not an executable file. */
export function requireDebianBinary(path: string, debianPackage: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} not found: install the Debian package "${debianPackage}" (apt-get install ${debianPackage})`,
    );
  }
}

/** What a promtool run printed, and its exit code. */
export interface PromtoolResult {
  readonly code: number | null;
  /** stdout and stderr together, as promtool mixes its findings between them. */
  readonly output: string;
}

/**
 * Runs Debian's promtool to completion (e.g. `["check", "metrics"]` with an exposition as `input`); it
 * exits non-zero with its findings printed when what it checks is wrong.
 *
 * @example
 * ```ts
 * const { code, output } = promtool(["check", "rules", "rules.yml"]);
 * ```
 */
export function promtool(args: readonly string[], input?: string): PromtoolResult {
  requireDebianBinary(PROMTOOL_BIN, "prometheus");
  const run = spawnSync(PROMTOOL_BIN, args, { input, encoding: "utf8", timeout: 30_000 });
  if (run.error !== undefined) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A temporary directory that `procs.cleanup()` removes. */
export async function tempDir(procs: ProcessSet, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pushprox-${prefix}-`));
  procs.defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A started node exporter. */
export interface NodeExporterHandle {
  readonly port: number;
  readonly process: ManagedProcess;
}

/** Starts node exporter with only the cpu, loadavg and meminfo collectors (fast and host-independent). */
export async function startNodeExporter(procs: ProcessSet): Promise<NodeExporterHandle> {
  requireDebianBinary(NODE_EXPORTER_BIN, "prometheus-node-exporter");
  const port = await freePort();
  const child = procs.spawn({
    name: "node exporter",
    command: NODE_EXPORTER_BIN,
    args: [
      `--web.listen-address=127.0.0.1:${port}`,
      "--collector.disable-defaults",
      "--collector.cpu",
      "--collector.loadavg",
      "--collector.meminfo",
    ],
  });
  await waitForPort(port, {
    what: child.name,
    abortReason: () => child.deathReason(),
    details: () => child.logs(),
  });
  return { port, process: child };
}

/** One series of an instant query result. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One entry of `/api/v1/targets`' activeTargets. */
export interface ActiveTarget {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
  /** When the last scrape started (RFC 3339). */
  readonly lastScrape: string;
}

/** A started Prometheus with helpers for its HTTP API. */
export class PrometheusHandle {
  readonly port: number;
  readonly process: ManagedProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;

  constructor(port: number, child: ManagedProcess) {
    this.port = port;
    this.process = child;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Runs an instant query; throws with Prometheus' error text when it fails. */
  async query(expr: string): Promise<Sample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const json = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (json.status !== "success") throw new Error(`Query ${expr} failed: ${json.error ?? response.status}`);
    return (json.data?.result ?? []).map((row) => ({ metric: row.metric, value: Number(row.value[1]) }));
  }

  /** The active targets, with their health and last scrape error. */
  async targets(): Promise<ActiveTarget[]> {
    const response = await fetch(`${this.url}/api/v1/targets?state=active`);
    const json = (await response.json()) as { data: { activeTargets: ActiveTarget[] } };
    return json.data.activeTargets;
  }

  /**
   * Waits until `expr` returns at least one series and `accept` holds for the result; returns it. The
   * timeout message shows the last result, the targets' health and errors, and every process' logs.
   */
  async waitForQuery(
    expr: string,
    accept: (samples: Sample[]) => boolean,
    options: { timeoutMs?: number; what?: string; logs?: () => string } = {},
  ): Promise<Sample[]> {
    let last: Sample[] = [];
    try {
      return await waitFor(async () => {
        const reason = this.process.deathReason();
        if (reason !== undefined) throw new GiveUp(`Prometheus ${reason}`);
        last = await this.query(expr);
        return last.length > 0 && accept(last) ? last : undefined;
      }, { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 250, what: options.what ?? expr });
    } catch (error) {
      const targets = await this.targets().catch(() => []);
      const health = targets.map((t) => `${t.scrapePool} ${t.scrapeUrl}: ${t.health} ${t.lastError}`).join(
        "\n",
      );
      throw new Error(
        `${(error as Error).message}\nlast result: ${JSON.stringify(last)}\ntargets:\n${health}\n` +
          (options.logs?.() ?? this.process.logs()),
      );
    }
  }
}

/** Starts Prometheus with `config` (YAML text) on a free port and waits until `/-/ready` answers 200. */
export async function startPrometheus(procs: ProcessSet, config: string): Promise<PrometheusHandle> {
  requireDebianBinary(PROMETHEUS_BIN, "prometheus");
  const dir = await tempDir(procs, "prometheus");
  await writeFile(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const child = procs.spawn({
    name: "prometheus",
    command: PROMETHEUS_BIN,
    args: [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
  });
  const prometheus = new PrometheusHandle(port, child);
  await waitFor(async () => {
    const reason = child.deathReason();
    if (reason !== undefined) throw new GiveUp(`Prometheus ${reason}`);
    const response = await fetch(`${prometheus.url}/-/ready`);
    await response.body?.cancel();
    return response.status === 200;
  }, { timeoutMs: 30_000, intervalMs: 200, what: "Prometheus to be ready", details: () => child.logs() });
  return prometheus;
}
