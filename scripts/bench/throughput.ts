/**
 * Section 2: scrapes per second with 50 clients behind one proxy and a load generator holding 50
 * keep-alive connections (what upstream's figure was measured with: wrk, 50 connections), and the CPU
 * each side spends per scrape, from `/proc/PID/stat` before and after the measured window. The load
 * generator is wrk itself when the lab has it (`Lab.wrk`), else our own (load_gen.ts).
 * @module
 */
import { availableParallelism } from "node:os";
import { sleep } from "../../test/support/wait.ts";
import type { ChildSet } from "./children.ts";
import { RpcChild } from "./helper_rpc.ts";
import { hostAddress, type Lab, type ProxyAccess, startClient, startProxy, waitForClients } from "./lab.ts";
import type { LoadMark } from "./load_gen.ts";
import { roundSummary } from "./latency.ts";
import { cpuMs, rssBytes, totalCpuMs } from "./proc_stat.ts";
import { round, summarize, type Summary } from "./stats.ts";
import { runWrk, type WrkOptions } from "./wrk_load.ts";

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
 * Throughput at one response size: a first window 2 s after the load starts, and, in a full run, a second
 * one after 40 s of load. Bun's JIT compiles each of the 50 client processes separately, and at a few
 * dozen scrapes per second per client the first window is dominated by that work; the second shows the
 * rate the setup sustains, and carries the target (figures.ts). Both are reported. The clients
 * are kept from one size to the next, so the 100 KiB run starts on clients the 1 KiB run has warmed.
 */
export interface ThroughputResult extends WindowFigures {
  readonly clients: number;
  readonly connections: number;
  readonly warm: WindowFigures | null;
}

interface Pids {
  readonly proxy: number;
  readonly clients: readonly number[];
  readonly target: number;
}

/** CPU ms so far of the processes under test and the target. */
function cpuNow(pids: Pids) {
  return { proxy: cpuMs(pids.proxy), clients: totalCpuMs(pids.clients), target: cpuMs(pids.target) };
}

/** The figures of one window from its counts and the CPU each side used in it. */
function windowFigures(
  counted: {
    seconds: number;
    ok: number;
    errors: number;
    errorSamples: readonly string[];
    latencyMs: Summary;
  },
  used: { proxy: number; clients: number; load: number; target: number },
  wallMs: number,
  warmupSeconds: number,
  proxyPid: number,
): WindowFigures {
  const scrapes = Math.max(counted.ok, 1);
  return {
    warmupSeconds: round(warmupSeconds, 1),
    seconds: round(counted.seconds),
    scrapes: counted.ok,
    errors: counted.errors,
    errorSamples: counted.errorSamples,
    scrapesPerSecond: round(counted.ok / counted.seconds, 1),
    latencyMs: roundSummary(counted.latencyMs),
    proxyCpuMsPerScrape: round(used.proxy / scrapes),
    clientsCpuMsPerScrape: round(used.clients / scrapes),
    loadGeneratorCpuMsPerScrape: round(used.load / scrapes),
    machineCpuShare: round(
      (used.proxy + used.clients + used.load + used.target) / (wallMs * availableParallelism()),
    ),
    proxyRssBytesAfter: rssBytes(proxyPid),
  };
}

/** One window of our own load generator, which keeps running across windows. */
async function measureWindow(
  load: RpcChild,
  pids: Pids,
  windowMs: number,
  warmupSeconds: number,
): Promise<WindowFigures> {
  await load.call<LoadMark>("mark");
  const loadPid = load.child.pid;
  const before = { ...cpuNow(pids), load: cpuMs(loadPid) };
  const started = performance.now();
  await sleep(windowMs);
  const mark = await load.call<LoadMark>("mark");
  const wallMs = performance.now() - started;
  const after = { ...cpuNow(pids), load: cpuMs(loadPid) };
  const latencyMs = summarize(mark.latenciesMs.length > 0 ? mark.latenciesMs : [0]);
  const used = {
    proxy: after.proxy - before.proxy,
    clients: after.clients - before.clients,
    load: after.load - before.load,
    target: after.target - before.target,
  };
  return windowFigures({ ...mark, latencyMs }, used, wallMs, warmupSeconds, pids.proxy);
}

/** One window of wrk: a run of its own, its CPU as it reported it. */
async function measureWrkWindow(
  children: ChildSet,
  options: WrkOptions,
  pids: Pids,
  warmupSeconds: number,
): Promise<WindowFigures> {
  const before = cpuNow(pids);
  const started = performance.now();
  const run = await runWrk(children, options);
  const wallMs = performance.now() - started;
  const after = cpuNow(pids);
  const used = {
    proxy: after.proxy - before.proxy,
    clients: after.clients - before.clients,
    load: run.cpuMs,
    target: after.target - before.target,
  };
  return windowFigures(run, used, wallMs, warmupSeconds, pids.proxy);
}

/** Extra load before the steady-state window (full runs only). */
const WARM_EXTRA_MS = 30_000;

/**
 * A proxy with a web config file (TLS and basic auth), for the secure section: how to start it, its
 * clients' extra flags and user info, and what scrapers send.
 */
export interface SecureSetup {
  readonly webConfigFile: string;
  readonly access: ProxyAccess;
  /** `user:password` the clients put in `--proxy-url`. */
  readonly clientUserInfo: string;
  /** `--tls.cacert=...` */
  readonly clientArgs: readonly string[];
}

/** Runs the section for 1 KiB and 100 KiB (1 KiB only when quick, or only `sizes` when given). */
export async function throughputSection(
  lab: Lab,
  children: ChildSet,
  targetPid: number,
  options: { readonly sizes?: Array<[string, number]>; readonly secure?: SecureSetup } = {},
): Promise<Record<string, ThroughputResult>> {
  const clients = lab.quick ? 2 : 50;
  const warmupMs = lab.quick ? 300 : 2000;
  const windowMs = lab.quick ? 1000 : 10_000;
  const sizes: Array<[string, number]> = options.sizes ??
    (lab.quick ? [["1KiB", 1024]] : [["1KiB", 1024], ["100KiB", 100 * 1024]]);
  const { secure } = options;
  if (secure !== undefined && lab.wrk === null) {
    throw new TypeError("Cannot load a TLS proxy with our own load generator: install wrk");
  }
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl, secure);
    const proxyUrl = secure === undefined
      ? `http://127.0.0.1:${proxy.port}/`
      : `https://${secure.clientUserInfo}@127.0.0.1:${proxy.port}/`;
    const names = Array.from({ length: clients }, (_, i) => hostAddress(i + 1));
    const clientChildren = await Promise.all(
      names.map((fqdn) => startClient(scoped, lab.impl, proxyUrl, fqdn, secure?.clientArgs)),
    );
    await waitForClients(proxy, { names }, 60_000, 200);
    const results: Record<string, ThroughputResult> = {};
    const pids = { proxy: proxy.child.pid, clients: clientChildren.map((c) => c.pid), target: targetPid };
    for (const [key, size] of sizes) {
      const generator = lab.wrk === null ? "our load generator" : "wrk";
      lab.log(
        `throughput ${key}: ${clients} clients, ${clients} connections (${generator}), ${windowMs / 1000} s`,
      );
      const urls = names.map((fqdn) => `http://${fqdn}:${lab.targetPort}/bytes/${size}`);
      const measure = lab.wrk === null
        ? builtinWindows(scoped, proxy.port, urls, size, pids)
        : wrkWindows(scoped, {
          wrk: lab.wrk,
          proxyPort: proxy.port,
          urls,
          connections: clients,
          expectBytes: size,
          secure: secure === undefined
            ? undefined
            : { proxyAuthorization: secure.access.scraperAuthorization },
        }, pids);
      const first = await measure.next(warmupMs, windowMs);
      let warm: WindowFigures | null = null;
      if (!lab.quick) {
        lab.log(
          `throughput ${key}: ${WARM_EXTRA_MS / 1000} s more warm-up, then another ${windowMs / 1000} s`,
        );
        warm = await measure.next(WARM_EXTRA_MS, windowMs);
      }
      await measure.stop();
      results[key] = { clients, connections: clients, ...first, warm };
    }
    return results;
  });
}

/** Successive windows of load, each after some more load; `stop` ends the load. */
interface Windows {
  next(warmupMs: number, windowMs: number): Promise<WindowFigures>;
  stop(): Promise<void>;
}

/** Our load generator: started once, it runs on through warm-ups and windows alike. */
function builtinWindows(
  children: ChildSet,
  proxyPort: number,
  urls: readonly string[],
  size: number,
  pids: Pids,
): Windows {
  let load: RpcChild | null = null;
  let loadStarted = 0;
  return {
    async next(warmupMs, windowMs) {
      if (load === null) {
        load = new RpcChild(children, "load generator", new URL("./load_gen.ts", import.meta.url).pathname, [
          `--via=127.0.0.1:${proxyPort}`,
          `--urls=${urls.join(",")}`,
          `--connections=${urls.length}`,
          `--expect-bytes=${size}`,
        ]);
        await load.waitReady();
        await load.call("start");
        loadStarted = performance.now();
      }
      await sleep(warmupMs);
      return await measureWindow(load, pids, windowMs, (performance.now() - loadStarted) / 1000);
    },
    async stop() {
      if (load === null) return;
      await load.call("stop");
      await load.child.stop();
    },
  };
}

/** wrk: one run for each warm-up and one for each window (wrk reports only when it ends). */
function wrkWindows(children: ChildSet, options: Omit<WrkOptions, "seconds">, pids: Pids): Windows {
  let loadedMs = 0;
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  return {
    async next(warmupMs, windowMs) {
      await runWrk(children, { ...options, seconds: seconds(warmupMs) });
      loadedMs += seconds(warmupMs) * 1000;
      const figures = await measureWrkWindow(
        children,
        { ...options, seconds: seconds(windowMs) },
        pids,
        loadedMs / 1000,
      );
      loadedMs += seconds(windowMs) * 1000;
      return figures;
    },
    async stop() {},
  };
}
