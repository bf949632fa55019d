/**
 * The figures the benchmark reports, each with upstream's reference value (from
 * upstream v0.2.0 binaries, measured on a machine like this one) and the target, if any.
 * One table of rows drives both the printed table and the `targets` list in the JSON.
 * @module
 */
import type { IdleMemoryResult } from "./idle_memory.ts";
import type { LargeScrapeResult } from "./large_scrape.ts";
import type { LatencyResult } from "./latency.ts";
import type { LinkBytesResult } from "./link_bytes.ts";
import type { StartupResult } from "./startup.ts";
import type { ThroughputResult } from "./throughput.ts";
import type { ClusterResult } from "./cluster.ts";
import type { SecureResult } from "./secure.ts";

/** Everything measured for one implementation; a section that failed has its message in `errors`. */
export interface ImplementationResults {
  latency?: Record<string, LatencyResult>;
  throughput?: Record<string, ThroughputResult>;
  idleMemory?: IdleMemoryResult;
  largeScrape?: LargeScrapeResult;
  startup?: StartupResult;
  linkBytes?: LinkBytesResult;
  latencyVsClients?: Record<string, LatencyResult>;
  cluster?: ClusterResult;
  secure?: SecureResult;
  /** Section name to error message. */
  errors: Record<string, string>;
}

/** A target from the issue: the figure must be at most (`<=`) or at least (`>=`) `value`. */
export interface Target {
  readonly op: "<=" | ">=";
  readonly value: number;
}

/** One row of the report. */
export interface FigureRow {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly get: (results: ImplementationResults) => number | undefined;
  /** Upstream Go v0.2.0, from the notes; undefined when the notes have no such figure. */
  readonly upstream?: number;
  readonly target?: Target;
}

const KB = 1000;
const MB = 1000 * 1000;

const latencyRows = (size: string, label: string, upstream: number, target: number): FigureRow[] => [
  {
    key: `latency.${size}.addedMedianMs`,
    label: `added latency ${label}, median`,
    unit: "ms",
    get: (r) => r.latency?.[size]?.addedMs.median,
    upstream,
    target: { op: "<=", value: target },
  },
  {
    key: `latency.${size}.addedP99Ms`,
    label: `added latency ${label}, p99`,
    unit: "ms",
    get: (r) => r.latency?.[size]?.addedMs.p99,
  },
];

/**
 * Throughput is judged after 40 s of load, when every client's JIT has compiled its hot code: a bastion runs
 * its clients for days, and that is the rate it sustains. The first 10 s after 50 clients start at once
 * are reported beside it, since each of them is still compiling then (see throughput.ts); upstream's Go
 * binaries have no such warm-up, so for them both windows measure the same thing.
 */
const throughputRows = (size: string, upstream: number): FigureRow[] => [
  {
    key: `throughput.${size}.warmScrapesPerSecond`,
    label: `throughput ${size}, 50 clients, after >= 40 s of load`,
    unit: "scrapes/s",
    get: (r) => r.throughput?.[size]?.warm?.scrapesPerSecond,
    upstream,
    target: { op: ">=", value: upstream * 1.5 },
  },
  {
    key: `throughput.${size}.scrapesPerSecond`,
    label: `throughput ${size}, 50 clients, first 10 s (2 s after start)`,
    unit: "scrapes/s",
    get: (r) => r.throughput?.[size]?.scrapesPerSecond,
    upstream,
  },
  {
    key: `throughput.${size}.warmClientsCpuMsPerScrape`,
    label: `throughput ${size}: client CPU per scrape, after >= 40 s`,
    unit: "ms",
    get: (r) => r.throughput?.[size]?.warm?.clientsCpuMsPerScrape,
    upstream: 1,
  },
  {
    key: `throughput.${size}.warmProxyCpuMsPerScrape`,
    label: `throughput ${size}: proxy CPU per scrape, after >= 40 s`,
    unit: "ms",
    get: (r) => r.throughput?.[size]?.warm?.proxyCpuMsPerScrape,
  },
  {
    key: `throughput.${size}.errors`,
    label: `throughput ${size}: errors`,
    unit: "count",
    get: (r) => r.throughput?.[size]?.errors,
  },
  {
    key: `throughput.${size}.proxyCpuMsPerScrape`,
    label: `throughput ${size}: proxy CPU per scrape, first 10 s`,
    unit: "ms",
    get: (r) => r.throughput?.[size]?.proxyCpuMsPerScrape,
  },
  {
    key: `throughput.${size}.clientsCpuMsPerScrape`,
    label: `throughput ${size}: client CPU per scrape, first 10 s`,
    unit: "ms",
    get: (r) => r.throughput?.[size]?.clientsCpuMsPerScrape,
    upstream: 1,
  },
];

const idlePoint = (r: ImplementationResults, clients: number) =>
  r.idleMemory?.points.find((p) => p.clients === clients);

/** Every row, in print order. Keys are stable: the JSON's `targets` refer to them. */
export const FIGURE_ROWS: readonly FigureRow[] = [
  ...latencyRows("1KiB", "1 KiB", 0.91, 0.91),
  ...latencyRows("100KiB", "100 KiB", 1.12, 1.12),
  ...latencyRows("5MiB", "5 MiB", 10.6, 10.6 / 2),
  ...latencyRows("nodeExporterGzip", "node exporter gzip", 2.1, 2.1),
  ...throughputRows("1KiB", 1350),
  ...throughputRows("100KiB", 624),
  {
    key: "idleMemory.1000",
    label: "proxy memory per idle client at 1,000",
    unit: "KB",
    get: (r) => div(idlePoint(r, 1000)?.bytesPerClient, KB),
    upstream: 20.0,
  },
  {
    key: "idleMemory.5000",
    label: "proxy memory per idle client at 5,000",
    unit: "KB",
    get: (r) => div(idlePoint(r, 5000)?.bytesPerClient, KB),
    upstream: 18.7,
  },
  {
    key: "idleMemory.10000",
    label: "proxy memory per idle client at 10,000",
    unit: "KB",
    get: (r) => div(idlePoint(r, 10_000)?.bytesPerClient, KB),
    target: { op: "<=", value: 8 },
  },
  {
    key: "idleMemory.returnedShare",
    label: "idle memory given back after closing",
    unit: "share",
    get: (r) => r.idleMemory?.returnedShare,
  },
  {
    key: "largeScrape.proxyRaisedMB",
    label: "100 MiB scrape: proxy peak memory raised by",
    unit: "MB",
    get: (r) => div(r.largeScrape?.proxy.raisedBytes, MB),
    target: { op: "<=", value: 40 },
  },
  {
    key: "largeScrape.clientRaisedMB",
    label: "100 MiB scrape: client peak memory raised by",
    unit: "MB",
    get: (r) => div(r.largeScrape?.client.raisedBytes, MB),
    target: { op: "<=", value: 40 },
  },
  {
    key: "startup.proxyListenMs",
    label: "proxy time to listen, median",
    unit: "ms",
    get: (r) => r.startup?.proxy.listenMs.median,
    upstream: 16.6,
    target: { op: "<=", value: 50 },
  },
  {
    key: "startup.clientListenMs",
    label: "client time to listen (metrics port), median",
    unit: "ms",
    get: (r) => r.startup?.client.listenMs.median,
  },
  {
    key: "startup.proxyHelpMs",
    label: "proxy --help, median",
    unit: "ms",
    get: (r) => r.startup?.proxyHelpMs.median,
    upstream: 13,
  },
  {
    key: "startup.proxyRssMB",
    label: "proxy RSS at start",
    unit: "MB",
    get: (r) => div(r.startup?.proxy.rssBytes, MB),
    upstream: 9.1,
  },
  {
    key: "startup.clientRssMB",
    label: "client RSS at start",
    unit: "MB",
    get: (r) => div(r.startup?.client.rssBytes, MB),
    upstream: 9.7,
  },
  {
    key: "startup.proxyBinaryMB",
    label: "proxy binary size",
    unit: "MB",
    get: (r) => div(r.startup?.binaryBytes.proxy, MB),
    upstream: 13.7,
  },
  {
    key: "startup.clientBinaryMB",
    label: "client binary size",
    unit: "MB",
    get: (r) => div(r.startup?.binaryBytes.client, MB),
    upstream: 14.2,
  },
  {
    key: "linkBytes.gzipUp",
    label: "link bytes per scrape, client to proxy, gzip",
    unit: "bytes",
    get: (r) => r.linkBytes?.gzip.upBytesPerScrape,
  },
  {
    key: "linkBytes.plainUp",
    label: "link bytes per scrape, client to proxy, plain",
    unit: "bytes",
    get: (r) => r.linkBytes?.plain.upBytesPerScrape,
  },
  {
    key: "linkBytes.gzipDown",
    label: "link bytes per scrape, proxy to client, gzip",
    unit: "bytes",
    get: (r) => r.linkBytes?.gzip.downBytesPerScrape,
  },
  ...[10, 5000].flatMap((n): FigureRow[] => [
    {
      key: `latencyVsClients.${n}.addedMedianMs`,
      label: `added latency 1 KiB with ${n} clients, median`,
      unit: "ms",
      get: (r) => r.latencyVsClients?.[String(n)]?.addedMs.median,
    },
    {
      key: `latencyVsClients.${n}.addedP99Ms`,
      label: `added latency 1 KiB with ${n} clients, p99`,
      unit: "ms",
      get: (r) => r.latencyVsClients?.[String(n)]?.addedMs.p99,
    },
  ]),
  {
    key: "cluster.localAddedMedianMs",
    label: "cluster: added latency 1 KiB, client on the proxy scraped, median",
    unit: "ms",
    get: (r) => r.cluster?.latency.local.addedMs.median,
  },
  {
    key: "cluster.forwardedAddedMedianMs",
    label: "cluster: added latency 1 KiB, forwarded to the client's proxy, median",
    unit: "ms",
    get: (r) => r.cluster?.latency.forwarded.addedMs.median,
  },
  {
    key: "cluster.forwardedToLocalRatio",
    label: "cluster: forwarded / local added latency (issue 20: <= one more hop)",
    unit: "x",
    get: (r) => r.cluster?.forwardedToLocalRatio,
    target: { op: "<=", value: 2 },
  },
  {
    key: "cluster.oneProxyScrapesPerSecond",
    label: "cluster: throughput 1 KiB, 50 clients, one proxy",
    unit: "scrapes/s",
    get: (r) => r.cluster?.throughput.oneProxy.scrapesPerSecond,
  },
  {
    key: "cluster.threeProxiesScrapesPerSecond",
    label: "cluster: throughput 1 KiB, 50 clients, three proxies (2 in 3 forwarded)",
    unit: "scrapes/s",
    get: (r) => r.cluster?.throughput.threeProxies.scrapesPerSecond,
  },
  // Issue 17: what TLS and basic auth (--web.config.file) cost over a plain proxy, measured side by side.
  {
    key: "secure.latency.addedMedianMs",
    label: "TLS + basic auth: added latency 1 KiB over plain, median",
    unit: "ms",
    get: (r) => r.secure?.latency.addedMs.median,
    target: { op: "<=", value: 0.3 },
  },
  {
    key: "secure.latency.addedP99Ms",
    label: "TLS + basic auth: added latency 1 KiB over plain, p99",
    unit: "ms",
    get: (r) => r.secure?.latency.addedMs.p99,
  },
  {
    key: "secure.throughput.plainScrapesPerSecond",
    label: "throughput 1 KiB, 50 clients, plain (beside the next row)",
    unit: "scrapes/s",
    get: (r) => (r.secure?.throughput?.plain.warm ?? r.secure?.throughput?.plain)?.scrapesPerSecond,
  },
  {
    key: "secure.throughput.secureScrapesPerSecond",
    label: "throughput 1 KiB, 50 clients, TLS + basic auth",
    unit: "scrapes/s",
    get: (r) => (r.secure?.throughput?.secure.warm ?? r.secure?.throughput?.secure)?.scrapesPerSecond,
  },
  {
    key: "secure.throughput.ratio",
    label: "throughput with TLS + basic auth / without",
    unit: "x",
    get: (r) => r.secure?.throughput?.ratio,
    target: { op: ">=", value: 0.9 },
  },
];

function div(value: number | undefined, by: number): number | undefined {
  return value === undefined ? undefined : value / by;
}

/** True when `value` meets `target`. */
export function meets(value: number, target: Target): boolean {
  return target.op === "<=" ? value <= target.value : value >= target.value;
}
