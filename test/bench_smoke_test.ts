/**
 * Keeps the benchmark, the soak run and the idle-floor probe from rotting: a tiny `--quick` benchmark and a 3-second soak, run
 * against the proxy and client started from source (through two one-line wrapper scripts, so no build is
 * needed), must finish cleanly and write JSON with every section and sensible numbers.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scriptCommand } from "../scripts/bench/children.ts";
import { REPO_ROOT, repoPath } from "./support/paths.ts";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script with this runtime and waits for it, killing it after `timeoutMs`. */
function runScript(script: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  const { command, args: full } = scriptCommand(repoPath(script), args);
  return new Promise((resolve) => {
    const child = spawn(command, full, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A shell script that runs one of our entry points from source with Bun, the runtime our release binaries
 * are compiled with, whichever runtime runs this test. `exec`, so the process measured is Bun itself.
 */
function wrapper(dir: string, name: string, entry: string): string {
  const path = join(dir, name);
  const quoted = [repoPath("node_modules/.bin/bun"), repoPath(entry)].map((word) =>
    `'${word.replaceAll("'", "'\\''")}'`
  ).join(" ");
  writeFileSync(path, `#!/bin/sh\ncd '${REPO_ROOT}' && exec ${quoted} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

const isPositive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;

/** Both runs at once; started by the first test that needs them (Bun's `before` hooks time out after 5 s). */
function startRuns(dir: string): Promise<Runs> {
  const proxy = wrapper(dir, "proxy", "src/main_proxy.ts");
  const client = wrapper(dir, "client", "src/main_client.ts");
  const benchArgs = [
    "--quick",
    "--node-exporter=none",
    "--load-gen=ours",
    `--proxy-bin=${proxy}`,
    `--client-bin=${client}`,
    `--out=${join(dir, "bench.json")}`,
  ];
  const soakArgs = [
    "--clients=5",
    "--duration=3s",
    `--proxy-bin=${proxy}`,
    `--out=${join(dir, "soak.json")}`,
  ];
  return Promise.all([
    runScript("scripts/bench.ts", benchArgs, 100_000),
    runScript("scripts/soak.ts", soakArgs, 100_000),
  ])
    .then(([bench, soak]) => ({
      bench,
      soak,
      report: bench.code === 0 ? JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) : {},
      soakReport: soak.code === 0 ? JSON.parse(readFileSync(join(dir, "soak.json"), "utf8")) : {},
    }));
}

interface Runs {
  readonly bench: Run;
  readonly soak: Run;
  // deno-lint-ignore no-explicit-any
  readonly report: Record<string, any>;
  // deno-lint-ignore no-explicit-any
  readonly soakReport: Record<string, any>;
}

const SLOW = { timeout: 120_000 };

describe("benchmark and soak smoke runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "pushprox-bench-smoke-"));
  let runs: Promise<Runs> | undefined;
  const results = () => (runs ??= startRuns(dir));

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("bench.ts --quick exits 0 and prints the table with upstream's reference column", SLOW, async () => {
    const { bench } = await results();
    assert.equal(bench.code, 0, `bench exited ${bench.code}\n${bench.stdout}\n${bench.stderr}`);
    assert.match(bench.stdout, /upstream \(reference, from notes\)/);
    assert.match(bench.stdout, /added latency 1 KiB, median/);
    assert.match(bench.stdout, /^Throughput load: scripts\/bench\/load_gen\.ts, 50 connections/m);
  });

  it("bench.ts --quick writes every section with positive figures and no section error", SLOW, async () => {
    const ours = (await results()).report.results?.ours;
    assert.deepEqual(ours?.errors, {});
    assert.ok(isPositive(ours.latency["1KiB"].proxiedMs.median));
    assert.ok(isPositive(ours.latency["1KiB"].directMs.median));
    assert.ok(isPositive(ours.latencyVsClients["20"].proxiedMs.p99));
    assert.ok(isPositive(ours.throughput["1KiB"].scrapesPerSecond));
    assert.equal(ours.throughput["1KiB"].errors, 0);
    assert.ok(isPositive(ours.throughput["1KiB"].proxyCpuMsPerScrape));
    assert.ok(isPositive(ours.throughput["1KiB"].loadGeneratorCpuMsPerScrape));
    assert.equal((await results()).report.meta.throughputLoadGenerator, "scripts/bench/load_gen.ts");
    assert.deepEqual(ours.idleMemory.points.map((p: { clients: number }) => p.clients), [20, 50]);
    assert.ok(ours.idleMemory.points.every((p: { rssBytes: number }) => isPositive(p.rssBytes)));
    assert.equal(ours.largeScrape.bodyBytes, 1024 * 1024);
    assert.ok(isPositive(ours.largeScrape.client.hwmAfter));
    assert.ok(isPositive(ours.startup.proxy.listenMs.median));
    assert.ok(isPositive(ours.startup.client.rssBytes));
    assert.ok(isPositive(ours.linkBytes.gzip.upBytesPerScrape));
    assert.ok(isPositive(ours.cluster.latency.forwarded.proxiedMs.median));
    assert.ok(isPositive(ours.cluster.throughput.threeProxies.scrapesPerSecond));
    assert.equal(ours.cluster.throughput.threeProxies.errors, 0);
    // TLS + basic auth beside plain: latency only, as our load generator speaks no TLS.
    assert.ok(isPositive(ours.secure.latency.secureMs.median));
    assert.equal(ours.secure.throughput, null);
    assert.ok(
      ours.linkBytes.plain.upBytesPerScrape > ours.linkBytes.gzip.upBytesPerScrape,
      "gzip should shrink the push",
    );
  });

  it("bench.ts --quick judges the issue's targets in the JSON", SLOW, async () => {
    const { report } = await results();
    const keys = report.targets.map((t: { key: string }) => t.key);
    assert.ok(keys.includes("throughput.1KiB.warmScrapesPerSecond"));
    assert.ok(keys.includes("startup.proxyListenMs"));
    const judged = report.targets.find((t: { key: string }) => t.key === "startup.proxyListenMs");
    assert.equal(typeof judged.pass, "boolean");
    assert.equal(report.upstreamReference["throughput.1KiB.scrapesPerSecond"].value, 1350);
  });

  it(
    "bench.ts --load-gen=wrk loads the throughput section with wrk, whose CPU it reports",
    SLOW,
    async () => {
      // After the runs above, so the two do not share the machine.
      await results();
      const out = join(dir, "wrk.json");
      const args = [
        "--quick",
        "--only=throughput",
        "--load-gen=wrk",
        `--proxy-bin=${join(dir, "proxy")}`,
        `--client-bin=${join(dir, "client")}`,
        `--out=${out}`,
      ];
      const run = await runScript("scripts/bench.ts", args, 60_000);
      assert.equal(run.code, 0, `bench exited ${run.code}\n${run.stdout}\n${run.stderr}`);
      const report = JSON.parse(readFileSync(out, "utf8"));
      assert.match(report.meta.throughputLoadGenerator, /\/wrk$/);
      const figures = report.results.ours.throughput["1KiB"];
      assert.equal(figures.errors, 0, JSON.stringify(figures.errorSamples));
      assert.ok(figures.scrapes > 10, `only ${figures.scrapes} scrapes`);
      assert.ok(isPositive(figures.latencyMs.median));
      assert.ok(isPositive(figures.loadGeneratorCpuMsPerScrape));
      assert.ok(isPositive(figures.clientsCpuMsPerScrape));
    },
  );

  it("bench.ts refuses an unknown --load-gen in one line, before starting anything", async () => {
    const run = await runScript("scripts/bench.ts", ["--load-gen=ab"], 30_000);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'bench: Unknown --load-gen "ab": expected auto, wrk or ours\n');
  });

  it("idle_floor.ts measures a bare node:http server holding 20 polls", SLOW, async () => {
    const floor = await runScript("scripts/idle_floor.ts", ["--runtime=bun", "--clients=20"], 60_000);
    assert.equal(floor.code, 0, `idle_floor exited ${floor.code}\n${floor.stdout}\n${floor.stderr}`);
    assert.match(
      floor.stdout,
      /^bun node:http, 20 held polls: RSS [\d.]+ -> [\d.]+ MB, -?[\d.]+ KB per poll$/m,
    );
  });

  it("soak.ts with 5 clients for 3 s scrapes without errors and reports latency and RSS", SLOW, async () => {
    const { soak, soakReport } = await results();
    assert.equal(soak.code, 0, `soak exited ${soak.code}\n${soak.stdout}\n${soak.stderr}`);
    assert.equal(soakReport.errors.total, 0);
    assert.ok(soakReport.scrapes > 10);
    assert.ok(isPositive(soakReport.latencyMs.p50));
    assert.ok(soakReport.latencyMs.max >= soakReport.latencyMs.p99);
    assert.ok(isPositive(soakReport.proxyRssBytes.start) && isPositive(soakReport.proxyRssBytes.end));
    assert.equal(soakReport.clientsListedAtEnd, 5);
  });
});
