/**
 * The soak run of issue 4: one proxy, many simulated clients (one helper process speaking the protocol
 * with our wire module), and a load generator scraping all of them without pause for the whole duration.
 * Reports errors (expected: none), scrape latency percentiles, and the proxy's RSS over time (expected:
 * flat). Prints a table and writes JSON.
 *
 * Usage: deno run -A scripts/soak.ts [--clients=1000] [--duration=120s] [--connections=50]
 *          [--proxy-bin=PATH] [--out=dist/soak.json]
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { arch } from "node:os";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { parseDuration } from "../src/cli/duration.ts";
import { REPO_ROOT } from "../test/support/paths.ts";
import { sleep } from "../test/support/wait.ts";
import { ChildSet } from "./bench/children.ts";
import { RpcChild } from "./bench/helper_rpc.ts";
import { startProxy, waitForClients } from "./bench/lab.ts";
import { roundSummary } from "./bench/latency.ts";
import type { LoadMark } from "./bench/load_gen.ts";
import { cpuMs, rssBytes } from "./bench/proc_stat.ts";
import { formatNumber } from "./bench/report.ts";
import { simFqdn, type SimStats } from "./bench/sim_clients.ts";
import { round, summarize } from "./bench/stats.ts";

const USAGE = `Usage: deno run -A scripts/soak.ts [options]

Options:
  --clients=N          simulated clients (default 1000)
  --duration=D         how long to scrape, e.g. 120s, 10m (default 120s)
  --connections=N      load generator connections (default 50, at most --clients)
  --payload-bytes=N    size of each simulated scrape response (default 1024)
  --proxy-bin=PATH     proxy to soak (default dist/<host>/proxy)
  --out=PATH           JSON report (default dist/soak.json)
  -h, --help           this text
`;

/** How often counters and RSS are read during the run. */
const SAMPLES = 10;

function log(message: string): void {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      clients: { type: "string", default: "1000" },
      duration: { type: "string", default: "120s" },
      connections: { type: "string", default: "50" },
      "payload-bytes": { type: "string", default: "1024" },
      "proxy-bin": { type: "string" },
      out: { type: "string", default: resolve(REPO_ROOT, "dist/soak.json") },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const clients = Number(values.clients);
  if (!Number.isSafeInteger(clients) || clients < 1 || clients > 10_000) {
    throw new RangeError(`Cannot soak with --clients=${values.clients}: expected 1..10000`);
  }
  const durationMs = parseDuration(values.duration);
  const connections = Math.min(Number(values.connections), clients);
  const payloadBytes = Number(values["payload-bytes"]);
  const proxyBin = resolve(
    values["proxy-bin"] ?? resolve(REPO_ROOT, `dist/linux-${arch() === "arm64" ? "arm64" : "x64"}/proxy`),
  );
  if (!existsSync(proxyBin)) {
    throw new TypeError(`Cannot soak: no proxy at ${proxyBin} (build: deno run -A scripts/build.ts --host)`);
  }

  const children = new ChildSet();
  process.on("SIGINT", () => void children.stopAll(500).finally(() => process.exit(130)));
  process.on("SIGTERM", () => void children.stopAll(500).finally(() => process.exit(130)));
  process.on("exit", () => children.killAllNow());
  const started = new Date();
  try {
    const proxy = await startProxy(children, { label: "soak", proxyBin, clientBin: proxyBin });
    const sim = new RpcChild(
      children,
      "simulated clients",
      resolve(REPO_ROOT, "scripts/bench/sim_clients.ts"),
      [
        `--proxy=http://127.0.0.1:${proxy.port}/`,
        `--count=${clients}`,
        `--payload-bytes=${payloadBytes}`,
      ],
    );
    await sim.waitReady();
    log(`waiting for ${clients} clients to poll`);
    await waitForClients(proxy, { count: clients }, 120_000, 250);
    await sleep(500);
    const rssStart = rssBytes(proxy.child.pid);
    const urls = Array.from({ length: clients }, (_, i) => `http://${simFqdn("sim", i)}:9100/metrics`);
    const load = new RpcChild(children, "load generator", resolve(REPO_ROOT, "scripts/bench/load_gen.ts"), [
      `--via=127.0.0.1:${proxy.port}`,
      `--urls=${urls.join(",")}`,
      `--connections=${connections}`,
      `--expect-bytes=${payloadBytes}`,
      `--max-seconds=${Math.ceil(durationMs / 1000) + 60}`,
    ]);
    await load.waitReady();
    log(`scraping ${clients} clients over ${connections} connections for ${values.duration}`);
    const cpuStart = cpuMs(proxy.child.pid);
    await load.call("start");
    const latencies: number[] = [];
    const timeline: Array<{ seconds: number; rssBytes: number; scrapesPerSecond: number; errors: number }> =
      [];
    let ok = 0;
    let errors = 0;
    const errorSamples: string[] = [];
    const begin = performance.now();
    for (let i = 1; i <= SAMPLES; i++) {
      await sleep(Math.max(0, begin + (durationMs * i) / SAMPLES - performance.now()));
      const mark = await load.call<LoadMark>("mark");
      for (const ms of mark.latenciesMs) latencies.push(ms);
      ok += mark.ok;
      errors += mark.errors;
      errorSamples.push(...mark.errorSamples.slice(0, 5 - errorSamples.length));
      const rss = rssBytes(proxy.child.pid);
      timeline.push({
        seconds: round((performance.now() - begin) / 1000, 1),
        rssBytes: rss,
        scrapesPerSecond: round(mark.ok / mark.seconds, 1),
        errors: mark.errors,
      });
      log(
        `${timeline.at(-1)!.seconds} s: ${
          formatNumber(mark.ok / mark.seconds)
        } scrapes/s, ${mark.errors} errors, proxy RSS ${formatNumber(rss / 1e6)} MB`,
      );
    }
    await load.call("stop");
    const cpuEnd = cpuMs(proxy.child.pid);
    const simStats = await sim.call<SimStats>("stats");
    const clientsListed = (await fetch(`http://127.0.0.1:${proxy.port}/clients`).then((r) =>
      r.json()
    ) as unknown[]).length;
    const rssMiddle = timeline[Math.floor(SAMPLES / 2) - 1]!.rssBytes;
    const rssEnd = timeline[SAMPLES - 1]!.rssBytes;
    const latencyMs = roundSummary(summarize(latencies.length > 0 ? latencies : [0]));
    const totalErrors = errors + simStats.pollErrors + simStats.pushErrors;
    const report = {
      meta: {
        started: started.toISOString(),
        finished: new Date().toISOString(),
        proxyBin,
        clients,
        connections,
        durationMs,
        payloadBytes,
      },
      scrapes: ok,
      scrapesPerSecond: round(ok / (durationMs / 1000), 1),
      errors: {
        total: totalErrors,
        loadGenerator: errors,
        pollErrors: simStats.pollErrors,
        pushErrors: simStats.pushErrors,
        samples: [...errorSamples, ...simStats.errorSamples],
      },
      latencyMs: { p50: latencyMs.median, p90: latencyMs.p90, p99: latencyMs.p99, max: latencyMs.max },
      proxyRssBytes: {
        start: rssStart,
        middle: rssMiddle,
        end: rssEnd,
        growthMiddleToEnd: rssEnd - rssMiddle,
      },
      proxyCpuMsPerScrape: round((cpuEnd - cpuStart) / Math.max(ok, 1)),
      clientsListedAtEnd: clientsListed,
      simulatedClients: simStats,
      timeline,
    };
    mkdirSync(dirname(resolve(values.out)), { recursive: true });
    writeFileSync(resolve(values.out), `${JSON.stringify(report, null, 2)}\n`);
    const rows: Array<[string, string]> = [
      ["clients / connections / duration", `${clients} / ${connections} / ${values.duration}`],
      ["scrapes (per second)", `${formatNumber(ok)} (${formatNumber(report.scrapesPerSecond)})`],
      [
        "errors (load / poll / push)",
        `${totalErrors} (${errors} / ${simStats.pollErrors} / ${simStats.pushErrors})`,
      ],
      [
        "latency p50 / p90 / p99 / max, ms",
        [latencyMs.median, latencyMs.p90, latencyMs.p99, latencyMs.max].map(formatNumber).join(" / "),
      ],
      [
        "proxy RSS start / middle / end, MB",
        [rssStart, rssMiddle, rssEnd].map((b) => formatNumber(b / 1e6)).join(" / "),
      ],
      ["proxy CPU per scrape, ms", formatNumber(report.proxyCpuMsPerScrape)],
      ["clients listed at end", String(clientsListed)],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(
      `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n\nJSON: ${
        resolve(values.out)
      }\n`,
    );
    return totalErrors === 0 ? 0 : 1;
  } finally {
    await children.stopAll();
  }
}

if (import.meta.main) {
  try {
    process.exit(await main(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
