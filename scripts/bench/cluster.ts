/**
 * Section "cluster" (issue 20), for our build only (upstream has no cluster mode): proxies sharing their
 * routing through a real redis-server on a free loopback port.
 *
 * - Latency: one client on proxy A; 1 KiB scrapes through A (the client is local) and through B (the
 *   scrape is forwarded to A), each alternated with direct scrapes as in the latency section. Target: a
 *   forwarded scrape adds at most twice what a local one adds (one more proxy hop).
 * - Throughput: 50 clients and three load generators (17 connections each) against one proxy, then the
 *   same clients spread over three proxies with each generator on its own proxy, so two scrapes in three
 *   are forwarded, as behind a load balancer. On one machine the three proxies share its cores: the
 *   figure says what forwarding costs, not what more machines would gain.
 * @module
 */
import { existsSync } from "node:fs";
import { sleep } from "../../test/support/wait.ts";
import { freePort } from "../../test/support/ports.ts";
import type { ChildSet } from "./children.ts";
import { RpcChild } from "./helper_rpc.ts";
import {
  hostAddress,
  type Lab,
  type RunningProxy,
  startClient,
  waitForClients,
  waitForListen,
} from "./lab.ts";
import { type LatencyResult, measureAddedLatency, roundSummary } from "./latency.ts";
import type { LoadMark } from "./load_gen.ts";
import { round, summarize, type Summary } from "./stats.ts";

const REDIS_SERVER = "/usr/bin/redis-server";

/** One throughput run. */
export interface ClusterThroughput {
  readonly proxies: number;
  readonly clients: number;
  readonly seconds: number;
  readonly scrapesPerSecond: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly latencyMs: Summary;
}

export interface ClusterResult {
  readonly latency: { readonly local: LatencyResult; readonly forwarded: LatencyResult };
  /** forwarded added median / local added median. */
  readonly forwardedToLocalRatio: number;
  readonly throughput: { readonly oneProxy: ClusterThroughput; readonly threeProxies: ClusterThroughput };
}

async function startRedis(children: ChildSet): Promise<string> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} not found (Debian: apt-get install redis-server)`);
  }
  const port = await freePort();
  const child = children.spawn({
    name: `redis-server :${port}`,
    command: REDIS_SERVER,
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
  });
  await waitForListen(port, child);
  return `redis://127.0.0.1:${port}`;
}

async function startMember(children: ChildSet, lab: Lab, redisUrl: string): Promise<RunningProxy> {
  const port = await freePort();
  const child = children.spawn({
    name: `${lab.impl.label} cluster proxy :${port}`,
    command: lab.impl.proxyBin,
    args: [
      `--web.listen-address=127.0.0.1:${port}`,
      `--cluster.redis-url=${redisUrl}`,
      `--cluster.advertise-url=http://127.0.0.1:${port}/`,
    ],
  });
  await waitForListen(port, child);
  return { child, port };
}

/** Runs three load generators (one per `via` port, cycling) for a warm-up and a measured window. */
async function loadWindow(
  children: ChildSet,
  viaPorts: readonly number[],
  urls: readonly string[],
  warmupMs: number,
  windowMs: number,
): Promise<Omit<ClusterThroughput, "proxies" | "clients">> {
  const generators = [0, 1, 2].map((i) =>
    new RpcChild(children, `load generator ${i}`, new URL("./load_gen.ts", import.meta.url).pathname, [
      `--via=127.0.0.1:${viaPorts[i % viaPorts.length]}`,
      `--urls=${urls.filter((_, j) => j % 3 === i).join(",")}`,
      `--connections=${Math.ceil(urls.length / 3)}`,
      "--expect-bytes=1024",
    ])
  );
  await Promise.all(generators.map((g) => g.waitReady()));
  await Promise.all(generators.map((g) => g.call("start")));
  await sleep(warmupMs);
  await Promise.all(generators.map((g) => g.call<LoadMark>("mark")));
  await sleep(windowMs);
  const marks = await Promise.all(generators.map((g) => g.call<LoadMark>("mark")));
  await Promise.all(generators.map(async (g) => {
    await g.call("stop");
    await g.child.stop();
  }));
  const seconds = Math.max(...marks.map((m) => m.seconds));
  const ok = marks.reduce((sum, m) => sum + m.ok, 0);
  const latencies = marks.flatMap((m) => m.latenciesMs);
  return {
    seconds: round(seconds),
    scrapesPerSecond: round(ok / seconds, 1),
    errors: marks.reduce((sum, m) => sum + m.errors, 0),
    errorSamples: marks.flatMap((m) => m.errorSamples).slice(0, 5),
    latencyMs: roundSummary(summarize(latencies.length > 0 ? latencies : [0])),
  };
}

export async function clusterSection(lab: Lab, children: ChildSet): Promise<ClusterResult> {
  const pairs = lab.quick ? 10 : 500;
  const clients = lab.quick ? 3 : 50;
  const warmupMs = lab.quick ? 300 : 5000;
  const windowMs = lab.quick ? 1000 : 10_000;
  const url1k = (host: string) => `http://${host}:${lab.targetPort}/bytes/1024`;

  const latency = await children.scope(async (scoped) => {
    const redisUrl = await startRedis(scoped);
    const a = await startMember(scoped, lab, redisUrl);
    const b = await startMember(scoped, lab, redisUrl);
    await startClient(scoped, lab.impl, `http://127.0.0.1:${a.port}/`, "127.0.0.1");
    await waitForClients(a, { names: ["127.0.0.1"] });
    await waitForClients(b, { names: ["127.0.0.1"] });
    const plan = { url: url1k("127.0.0.1"), gzip: false, pairs, warmupPairs: lab.quick ? 2 : 100 };
    lab.log(`cluster latency: ${pairs} pairs local, ${pairs} forwarded`);
    const local = await measureAddedLatency(a.port, plan);
    const forwarded = await measureAddedLatency(b.port, plan);
    return { local, forwarded };
  });

  const names = Array.from({ length: clients }, (_, i) => hostAddress(i + 1));
  const urls = names.map(url1k);
  const oneProxy = await children.scope(async (scoped) => {
    const redisUrl = await startRedis(scoped);
    const proxy = await startMember(scoped, lab, redisUrl);
    await Promise.all(
      names.map((fqdn) => startClient(scoped, lab.impl, `http://127.0.0.1:${proxy.port}/`, fqdn)),
    );
    await waitForClients(proxy, { names }, 60_000, 200);
    lab.log(`cluster throughput: one proxy, ${clients} clients, ${windowMs / 1000} s`);
    return { proxies: 1, clients, ...await loadWindow(scoped, [proxy.port], urls, warmupMs, windowMs) };
  });
  const threeProxies = await children.scope(async (scoped) => {
    const redisUrl = await startRedis(scoped);
    const proxies = [
      await startMember(scoped, lab, redisUrl),
      await startMember(scoped, lab, redisUrl),
      await startMember(scoped, lab, redisUrl),
    ];
    // Host j polls proxy floor(3j/n) while load generator i scrapes hosts j = i mod 3 through proxy i:
    // about one scrape in three finds its client on the proxy it reached.
    await Promise.all(
      names.map((fqdn, j) =>
        startClient(
          scoped,
          lab.impl,
          `http://127.0.0.1:${proxies[Math.floor((j * 3) / names.length)]!.port}/`,
          fqdn,
        )
      ),
    );
    for (const proxy of proxies) await waitForClients(proxy, { names }, 60_000, 200);
    lab.log(`cluster throughput: three proxies, ${clients} clients, ${windowMs / 1000} s`);
    const ports = proxies.map((p) => p.port);
    return { proxies: 3, clients, ...await loadWindow(scoped, ports, urls, warmupMs, windowMs) };
  });

  return {
    latency,
    forwardedToLocalRatio: round(latency.forwarded.addedMs.median / latency.local.addedMs.median),
    throughput: { oneProxy, threeProxies },
  };
}
