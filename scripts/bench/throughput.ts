/**
 * Section 2: scrapes per second with 50 clients behind one proxy and a load generator holding 50
 * keep-alive connections (what upstream's figure was measured with: wrk, 50 connections), and the CPU
 * each side spends per scrape, from `/proc/PID/stat` before and after the measured window.
 * @module
 */
import { availableParallelism } from "node:os";
import { sleep } from "../../test/support/wait.ts";
import type { ChildSet } from "./children.ts";
import { RpcChild } from "./helper_rpc.ts";
import { hostAddress, type Lab, startClient, startProxy, waitForClients } from "./lab.ts";
import type { LoadMark } from "./load_gen.ts";
import { roundSummary } from "./latency.ts";
import { cpuMs, rssBytes, totalCpuMs } from "./proc_stat.ts";
import { round, type Summary, summarize } from "./stats.ts";

/** One measured window. */
export interface WindowFigures {
  /** Seconds of load before this window began, for every client. */
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly scrapes: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly scrapesPerSecond: number;
  readonly latencyMs: Summary;
  readonly proxyCpuMsPerScrape: number;
  /** All client processes together. */
  readonly clientsCpuMsPerScrape: number;
  readonly loadGeneratorCpuMsPerScrape: number;
  /** Share of all cores used by proxy + clients + load generator + target during the window. */
  readonly machineCpuShare: number;
  readonly proxyRssBytesAfter: number;
}

/**
 * Throughput at one response size: the window the issue asks for (after a short warm-up), and, in a full
 * run, a second window after a longer warm-up. Bun's JIT compiles each of the 50 client processes
 * separately, and at a few scrapes per second per client the first window is dominated by that work; the
 * second window shows the steady state. Both are reported; the first is the headline. The clients are kept
 * from one size to the next, so the 100 KiB run starts on clients the 1 KiB run has already warmed.
 */
export interface ThroughputResult extends WindowFigures {
  readonly clients: number;
  readonly connections: number;
  readonly warm: WindowFigures | null;
}

interface Pids {
  readonly proxy: number;
  readonly clients: readonly number[];
  readonly load: number;
  readonly target: number;
}

async function measureWindow(load: RpcChild, pids: Pids, windowMs: number, warmupSeconds: number): Promise<WindowFigures> {
  await load.call<LoadMark>("mark");
  const read = () => ({ proxy: cpuMs(pids.proxy), clients: totalCpuMs(pids.clients), load: cpuMs(pids.load), target: cpuMs(pids.target) });
  const before = read();
  const started = performance.now();
  await sleep(windowMs);
  const mark = await load.call<LoadMark>("mark");
  const wallMs = performance.now() - started;
  const after = read();
  const scrapes = Math.max(mark.ok, 1);
  const used = (after.proxy - before.proxy) + (after.clients - before.clients) + (after.load - before.load) +
    (after.target - before.target);
  return {
    warmupSeconds: round(warmupSeconds, 1),
    seconds: round(mark.seconds),
    scrapes: mark.ok,
    errors: mark.errors,
    errorSamples: mark.errorSamples,
    scrapesPerSecond: round(mark.ok / mark.seconds, 1),
    latencyMs: roundSummary(summarize(mark.latenciesMs.length > 0 ? mark.latenciesMs : [0])),
    proxyCpuMsPerScrape: round((after.proxy - before.proxy) / scrapes),
    clientsCpuMsPerScrape: round((after.clients - before.clients) / scrapes),
    loadGeneratorCpuMsPerScrape: round((after.load - before.load) / scrapes),
    machineCpuShare: round(used / (wallMs * availableParallelism())),
    proxyRssBytesAfter: rssBytes(pids.proxy),
  };
}

/** Extra load before the steady-state window (full runs only). */
const WARM_EXTRA_MS = 30_000;

/** Runs the section for 1 KiB and 100 KiB (1 KiB only when quick). */
export async function throughputSection(lab: Lab, children: ChildSet, targetPid: number): Promise<Record<string, ThroughputResult>> {
  const clients = lab.quick ? 2 : 50;
  const warmupMs = lab.quick ? 300 : 2000;
  const windowMs = lab.quick ? 1000 : 10_000;
  const sizes: Array<[string, number]> = lab.quick ? [["1KiB", 1024]] : [["1KiB", 1024], ["100KiB", 100 * 1024]];
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl);
    const proxyUrl = `http://127.0.0.1:${proxy.port}/`;
    const names = Array.from({ length: clients }, (_, i) => hostAddress(i + 1));
    const clientChildren = await Promise.all(names.map((fqdn) => startClient(scoped, lab.impl, proxyUrl, fqdn)));
    await waitForClients(proxy, { names }, 60_000, 200);
    const results: Record<string, ThroughputResult> = {};
    for (const [key, size] of sizes) {
      lab.log(`throughput ${key}: ${clients} clients, ${clients} connections, ${windowMs / 1000} s`);
      const urls = names.map((fqdn) => `http://${fqdn}:${lab.targetPort}/bytes/${size}`);
      const load = new RpcChild(scoped, "load generator", new URL("./load_gen.ts", import.meta.url).pathname, [
        `--via=127.0.0.1:${proxy.port}`,
        `--urls=${urls.join(",")}`,
        `--connections=${clients}`,
        `--expect-bytes=${size}`,
      ]);
      await load.waitReady();
      await load.call("start");
      const loadStarted = performance.now();
      await sleep(warmupMs);
      const pids = { proxy: proxy.child.pid, clients: clientChildren.map((c) => c.pid), load: load.child.pid, target: targetPid };
      const first = await measureWindow(load, pids, windowMs, (performance.now() - loadStarted) / 1000);
      let warm: WindowFigures | null = null;
      if (!lab.quick) {
        lab.log(`throughput ${key}: ${WARM_EXTRA_MS / 1000} s more warm-up, then another ${windowMs / 1000} s`);
        await sleep(WARM_EXTRA_MS);
        warm = await measureWindow(load, pids, windowMs, (performance.now() - loadStarted) / 1000);
      }
      await load.call("stop");
      await load.child.stop();
      results[key] = { clients, connections: clients, ...first, warm };
    }
    return results;
  });
}
