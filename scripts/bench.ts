/**
 * The benchmark of issue 5: added latency, throughput, memory per idle client, peak memory of a large
 * scrape, startup, and bytes on the client's link, for our compiled proxy and client (or any
 * implementation taking upstream's flags), beside upstream's reference figures and the targets.
 * Runs in a few minutes on a 2-core machine; `--quick` runs a tiny version in seconds.
 *
 * Usage: deno run -A scripts/bench.ts [--quick] [--out=dist/bench.json]
 *          [--proxy-bin=PATH --client-bin=PATH] [--compare-proxy-bin=PATH --compare-client-bin=PATH]
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { arch, availableParallelism, cpus, release } from "node:os";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { freePort } from "../test/support/ports.ts";
import { REPO_ROOT } from "../test/support/paths.ts";
import { ChildSet } from "./bench/children.ts";
import { FIGURE_ROWS, type ImplementationResults } from "./bench/figures.ts";
import { RpcChild } from "./bench/helper_rpc.ts";
import { idleMemorySection } from "./bench/idle_memory.ts";
import { hostAddress, type Implementation, type Lab, waitForListen } from "./bench/lab.ts";
import { largeScrapeSection } from "./bench/large_scrape.ts";
import { latencySection, latencyVsClientsSection } from "./bench/latency.ts";
import { linkBytesSection } from "./bench/link_bytes.ts";
import { evaluateTargets, renderTable } from "./bench/report.ts";
import { startupSection } from "./bench/startup.ts";
import { throughputSection } from "./bench/throughput.ts";
import { clusterSection } from "./bench/cluster.ts";
import { secureSection } from "./bench/secure.ts";
import { findWrk } from "./bench/wrk_load.ts";

const USAGE = `Usage: deno run -A scripts/bench.ts [options]   (or: npm run bench -- [options])

Options:
  --proxy-bin=PATH            proxy to measure (default dist/<host>/proxy from scripts/build.ts --host)
  --client-bin=PATH           client to measure (default dist/<host>/client)
  --compare-proxy-bin=PATH    a second implementation (upstream's flags), measured after ours
  --compare-client-bin=PATH     and shown beside ours with ratios
  --out=PATH                  JSON report (default dist/bench.json)
  --only=a,b                  sections: ${"startup,latency,latencyVsClients,throughput,idleMemory,largeScrape,linkBytes,cluster,secure"}
  --node-exporter=PATH        default /usr/bin/prometheus-node-exporter; "none" to skip it
  --load-gen=auto|wrk|ours    throughput load: wrk (as upstream's figure), our own, or wrk if on PATH (default)
  --quick                     a tiny run in seconds (for the smoke test): figures mean nothing
  -h, --help                  this text
`;

/** Section names in run order; startup first, on a quiet machine. */
export const SECTIONS = [
  "startup",
  "latency",
  "latencyVsClients",
  "throughput",
  "idleMemory",
  "largeScrape",
  "linkBytes",
  "cluster",
  "secure",
] as const;

/** Hosts the static target listens on: 127.0.0.1 for single-client sections, one per throughput client. */
const TARGET_HOSTS = ["127.0.0.1", ...Array.from({ length: 50 }, (_, i) => hostAddress(i + 1))];

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function runImplementation(
  lab: Lab,
  children: ChildSet,
  sections: ReadonlySet<string>,
  target: { pid: number; prepare: (size: number) => Promise<void> },
): Promise<ImplementationResults> {
  const results: ImplementationResults = { errors: {} };
  const run = async <K extends keyof ImplementationResults>(
    name: K & string,
    body: () => Promise<ImplementationResults[K]>,
  ) => {
    if (!sections.has(name)) return;
    log(`${lab.impl.label}: ${name}`);
    try {
      results[name] = await body();
    } catch (error) {
      results.errors[name] = error instanceof Error ? error.message : String(error);
      log(`${lab.impl.label}: ${name} FAILED: ${results.errors[name]}`);
    }
  };
  await run("startup", () => startupSection(lab, children));
  await run("latency", () => latencySection(lab, children));
  await run("latencyVsClients", () => latencyVsClientsSection(lab, children));
  await run("throughput", () => throughputSection(lab, children, target.pid));
  await run("idleMemory", () => idleMemorySection(lab, children));
  await run("largeScrape", () => largeScrapeSection(lab, children, target.prepare));
  await run("linkBytes", () => linkBytesSection(lab, children));
  // Upstream has no cluster mode: only our build is measured there.
  if (lab.impl.label === "ours") await run("cluster", () => clusterSection(lab, children));
  // Upstream has no --web.config.file: the TLS + auth variant is ours alone.
  if (lab.impl.label === "ours") await run("secure", () => secureSection(lab, children, target.pid));
  return results;
}

async function startNodeExporter(children: ChildSet, path: string): Promise<number | null> {
  if (path === "none" || !existsSync(path)) {
    log(`node exporter not found at ${path}: its rows are skipped, link bytes use the static target`);
    return null;
  }
  const port = await freePort();
  const child = children.spawn({
    name: "node exporter",
    command: path,
    args: [`--web.listen-address=127.0.0.1:${port}`],
  });
  await waitForListen(port, child);
  return port;
}

function implementation(label: string, proxyBin: string, clientBin: string): Implementation {
  for (const path of [proxyBin, clientBin]) {
    if (!existsSync(path)) {
      throw new TypeError(
        `Cannot benchmark ${label}: no program at ${path} (build ours with: deno run -A scripts/build.ts --host)`,
      );
    }
  }
  return { label, proxyBin: resolve(proxyBin), clientBin: resolve(clientBin) };
}

async function main(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      "proxy-bin": { type: "string" },
      "client-bin": { type: "string" },
      "compare-proxy-bin": { type: "string" },
      "compare-client-bin": { type: "string" },
      out: { type: "string", default: resolve(REPO_ROOT, "dist/bench.json") },
      only: { type: "string" },
      "node-exporter": { type: "string", default: "/usr/bin/prometheus-node-exporter" },
      "load-gen": { type: "string", default: "auto" },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const hostDir = resolve(REPO_ROOT, "dist", `linux-${arch() === "arm64" ? "arm64" : "x64"}`);
  const impls = [
    implementation(
      "ours",
      values["proxy-bin"] ?? `${hostDir}/proxy`,
      values["client-bin"] ?? `${hostDir}/client`,
    ),
  ];
  if ((values["compare-proxy-bin"] === undefined) !== (values["compare-client-bin"] === undefined)) {
    throw new TypeError("Cannot compare: give both --compare-proxy-bin and --compare-client-bin");
  }
  if (values["compare-proxy-bin"] !== undefined) {
    impls.push(implementation("compare", values["compare-proxy-bin"], values["compare-client-bin"]!));
  }
  const wrk = loadGenerator(values["load-gen"]);
  const sections = new Set<string>(values.only?.split(",") ?? SECTIONS);
  for (const name of sections) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new TypeError(`Unknown section "${name}" in --only`);
    }
  }

  const children = new ChildSet();
  const interrupted = (signal: string) => {
    log(`${signal}: stopping every process started`);
    void children.stopAll(500).finally(() => process.exit(130));
  };
  process.on("SIGINT", () => interrupted("SIGINT"));
  process.on("SIGTERM", () => interrupted("SIGTERM"));
  process.on("exit", () => children.killAllNow());

  const started = new Date();
  try {
    const target = new RpcChild(
      children,
      "static target",
      resolve(REPO_ROOT, "scripts/bench/static_target.ts"),
      [
        `--hosts=${TARGET_HOSTS.join(",")}`,
      ],
    );
    const { port: targetPort } = await target.waitReady<{ port: number }>();
    const prepare = async (size: number) => void await target.call("prepare", { size });
    const nodeExporterPort = await startNodeExporter(children, values["node-exporter"]);
    const results: Record<string, ImplementationResults> = {};
    for (const impl of impls) {
      const lab: Lab = { impl, targetPort, nodeExporterPort, wrk, quick: values.quick, log };
      results[impl.label] = await runImplementation(lab, children, sections, {
        pid: target.child.pid,
        prepare,
      });
    }
    const finished = new Date();
    const report = {
      meta: {
        started: started.toISOString(),
        finished: finished.toISOString(),
        durationSeconds: (finished.getTime() - started.getTime()) / 1000,
        quick: values.quick,
        runtime: process.versions.deno !== undefined
          ? `deno ${process.versions.deno}`
          : `bun ${process.versions.bun}`,
        machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", kernel: release() },
        implementations: Object.fromEntries(
          impls.map((i) => [i.label, { proxyBin: i.proxyBin, clientBin: i.clientBin }]),
        ),
        nodeExporter: nodeExporterPort !== null,
        throughputLoadGenerator: wrk ?? "scripts/bench/load_gen.ts",
      },
      results,
      upstreamReference: Object.fromEntries(
        FIGURE_ROWS.filter((r) => r.upstream !== undefined).map((
          r,
        ) => [r.key, { value: r.upstream, unit: r.unit }]),
      ),
      targets: evaluateTargets(results.ours!),
    };
    mkdirSync(dirname(resolve(values.out)), { recursive: true });
    writeFileSync(resolve(values.out), `${JSON.stringify(report, null, 2)}\n`);
    const load = `Throughput load: ${report.meta.throughputLoadGenerator}, 50 connections (2 when quick).`;
    process.stdout.write(
      `${renderTable(results.ours!, results.compare, values.quick)}\n${load}\n\nJSON: ${
        resolve(values.out)
      }\n`,
    );
    const failed = Object.values(results).some((r) => Object.keys(r.errors).length > 0);
    return failed ? 1 : 0;
  } finally {
    await children.stopAll();
  }
}

/**
 * The wrk to load the throughput section with, or null for our own load generator.
 * @throws {TypeError} for an unknown choice, or "wrk" when it is not installed.
 */
function loadGenerator(choice: string): string | null {
  if (choice === "ours") return null;
  if (choice !== "auto" && choice !== "wrk") {
    throw new TypeError(`Unknown --load-gen "${choice}": expected auto, wrk or ours`);
  }
  const wrk = findWrk();
  if (wrk === null && choice === "wrk") {
    throw new TypeError("--load-gen=wrk: no wrk on PATH (Debian: apt-get install wrk)");
  }
  return wrk;
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
