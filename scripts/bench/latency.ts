/**
 * Sections 1 and 7: the latency a scrape through the proxy adds over scraping the target directly.
 * Direct and proxied scrapes alternate (the order flips every pair, so neither always runs on a warmer
 * cache), each over its own keep-alive connection, and the figure is the per-pair difference.
 * @module
 */
import { ChildSet } from "./children.ts";
import { RpcChild } from "./helper_rpc.ts";
import { type Lab, type RunningProxy, startClient, startProxy, waitForClients } from "./lab.ts";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";
import { round, summarize, type Summary } from "./stats.ts";

/** Latency figures in milliseconds. */
export interface LatencyResult {
  readonly pairs: number;
  readonly bodyBytes: number;
  readonly directMs: Summary;
  readonly proxiedMs: Summary;
  /** proxied - direct, per pair. */
  readonly addedMs: Summary;
}

/** One measurement: what to scrape and how often. */
export interface LatencyPlan {
  readonly url: string;
  readonly gzip: boolean;
  readonly pairs: number;
  readonly warmupPairs: number;
}

const SCRAPE_TIMEOUT_SECONDS = 10;

/** Alternates direct and proxied scrapes of `plan.url` and summarizes the differences. */
export async function measureAddedLatency(proxyPort: number, plan: LatencyPlan): Promise<LatencyResult> {
  const target = new URL(plan.url);
  const direct = new KeepAliveConnection(target.hostname, Number(target.port));
  const proxied = new KeepAliveConnection("127.0.0.1", proxyPort);
  const spec = { url: plan.url, gzip: plan.gzip, timeoutSeconds: SCRAPE_TIMEOUT_SECONDS };
  const directHead = scrapeHead(spec, false);
  const proxiedHead = scrapeHead(spec, true);
  const timed = async (connection: KeepAliveConnection, head: string) => {
    const how = connection === direct ? "direct" : `proxied (via 127.0.0.1:${proxyPort})`;
    const started = performance.now();
    const response = await connection.request(head, (SCRAPE_TIMEOUT_SECONDS + 5) * 1000).catch(
      (error: Error) => {
        throw new Error(`${how} scrape of ${plan.url} failed: ${error.message}`, { cause: error });
      },
    );
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${how} scrape of ${plan.url} answered ${response.status}`);
    return { elapsed, bytes: response.bodyBytes };
  };
  const directMs: number[] = [];
  const proxiedMs: number[] = [];
  const addedMs: number[] = [];
  let bodyBytes = 0;
  try {
    for (let i = 0; i < plan.warmupPairs + plan.pairs; i++) {
      const first = i % 2 === 0 ? await timed(direct, directHead) : await timed(proxied, proxiedHead);
      const second = i % 2 === 0 ? await timed(proxied, proxiedHead) : await timed(direct, directHead);
      const [d, p] = i % 2 === 0 ? [first, second] : [second, first];
      if (!plan.gzip && d.bytes !== p.bytes) {
        throw new Error(`Proxied scrape of ${plan.url} returned ${p.bytes} bytes, direct ${d.bytes}`);
      }
      if (i < plan.warmupPairs) continue;
      directMs.push(d.elapsed);
      proxiedMs.push(p.elapsed);
      addedMs.push(p.elapsed - d.elapsed);
      bodyBytes = p.bytes;
    }
  } finally {
    direct.close();
    proxied.close();
  }
  return {
    pairs: plan.pairs,
    bodyBytes,
    directMs: roundSummary(summarize(directMs)),
    proxiedMs: roundSummary(summarize(proxiedMs)),
    addedMs: roundSummary(summarize(addedMs)),
  };
}

/** A summary with figures rounded to microseconds. */
export function roundSummary(summary: Summary): Summary {
  return {
    count: summary.count,
    median: round(summary.median),
    p90: round(summary.p90),
    p99: round(summary.p99),
    min: round(summary.min),
    max: round(summary.max),
  };
}

/**
 * Sizes of the static target scraped in section 1, with the number of pairs for each. Each size warms up on
 * its own: bodies past 64 KiB take the streaming path, which small ones never touch, and a fresh proxy and
 * client relay their first 40-60 scrapes of 5 MiB 20-50% slower than later ones while it compiles (two
 * runs, medians of 20). The gzip scrape has no Content-Length, so it takes a read-ahead path of its own.
 */
function latencyPlans(lab: Lab): Array<{ key: string; plan: LatencyPlan }> {
  const url = (size: number) => `http://127.0.0.1:${lab.targetPort}/bytes/${size}`;
  if (lab.quick) return [{ key: "1KiB", plan: { url: url(1024), gzip: false, pairs: 10, warmupPairs: 2 } }];
  const plans = [
    { key: "1KiB", plan: { url: url(1024), gzip: false, pairs: 1000, warmupPairs: 100 } },
    { key: "100KiB", plan: { url: url(100 * 1024), gzip: false, pairs: 500, warmupPairs: 50 } },
    { key: "5MiB", plan: { url: url(5 * 1024 * 1024), gzip: false, pairs: 200, warmupPairs: 60 } },
  ];
  if (lab.nodeExporterPort !== null) {
    const nodeUrl = `http://127.0.0.1:${lab.nodeExporterPort}/metrics`;
    plans.push({ key: "nodeExporterGzip", plan: { url: nodeUrl, gzip: true, pairs: 200, warmupPairs: 60 } });
  }
  return plans;
}

/** Section 1: one proxy, one client (FQDN 127.0.0.1), added latency per target size. */
export async function latencySection(lab: Lab, children: ChildSet): Promise<Record<string, LatencyResult>> {
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl);
    await startClient(scoped, lab.impl, `http://127.0.0.1:${proxy.port}/`, "127.0.0.1");
    await waitForClients(proxy, { names: ["127.0.0.1"] });
    const results: Record<string, LatencyResult> = {};
    for (const { key, plan } of latencyPlans(lab)) {
      lab.log(`latency ${key}: ${plan.pairs} pairs`);
      results[key] = await measureAddedLatency(proxy.port, plan);
    }
    return results;
  });
}

/** Section 7: added latency (1 KiB) with 10 and with 5,000 clients connected, all but one idle. */
export async function latencyVsClientsSection(
  lab: Lab,
  children: ChildSet,
): Promise<Record<string, LatencyResult>> {
  const counts = lab.quick ? [2, 20] : [10, 5000];
  const pairs = lab.quick ? 10 : 500;
  return await children.scope(async (scoped) => {
    const proxy: RunningProxy = await startProxy(scoped, lab.impl);
    await startClient(scoped, lab.impl, `http://127.0.0.1:${proxy.port}/`, "127.0.0.1");
    await waitForClients(proxy, { names: ["127.0.0.1"] });
    const pollers = new RpcChild(
      scoped,
      "idle pollers",
      new URL("./idle_pollers.ts", import.meta.url).pathname,
      [
        `--proxy=127.0.0.1:${proxy.port}`,
      ],
    );
    await pollers.waitReady();
    const results: Record<string, LatencyResult> = {};
    let idle = 0;
    for (const count of counts) {
      await pollers.call("open", { count: count - 1 - idle, prefix: `lat${count}` });
      idle = count - 1;
      await waitForClients(proxy, { count }, 60_000, 250);
      lab.log(`latency with ${count} clients: ${pairs} pairs`);
      const url = `http://127.0.0.1:${lab.targetPort}/bytes/1024`;
      results[String(count)] = await measureAddedLatency(proxy.port, {
        url,
        gzip: false,
        pairs,
        warmupPairs: 20,
      });
    }
    return results;
  });
}
