/**
 * Section 4: how much a 100 MiB scrape raises the peak memory of the proxy and of the client. Fresh
 * processes; one small scrape first so connections and code paths are warm; then the large scrape while
 * RSS is sampled every 10 ms. The peak is VmHWM when the scrape raised it, else the highest sample.
 * @module
 */
import type { ChildSet } from "./children.ts";
import { type Lab, startClient, startProxy, waitForClients } from "./lab.ts";
import { peakRssBytes, rssBytes } from "./proc_stat.ts";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";
import { round } from "./stats.ts";

/** Memory of one process around the large scrape, bytes. */
export interface PeakMemory {
  readonly rssBefore: number;
  readonly hwmBefore: number;
  readonly hwmAfter: number;
  readonly sampledPeak: number;
  /** Peak during the scrape minus RSS before it. */
  readonly raisedBytes: number;
}

/** The section's result. */
export interface LargeScrapeResult {
  readonly bodyBytes: number;
  readonly durationMs: number;
  readonly proxy: PeakMemory;
  readonly client: PeakMemory;
}

/** Samples RSS of some processes until stopped; the maximum per process. */
function sampleRss(pids: readonly number[], intervalMs: number): () => number[] {
  const peaks = pids.map((pid) => rssBytes(pid));
  const timer = setInterval(() => {
    pids.forEach((pid, i) => {
      try {
        peaks[i] = Math.max(peaks[i]!, rssBytes(pid));
      } catch {
        // The process is gone; the run will fail on the scrape itself.
      }
    });
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return peaks;
  };
}

/** Runs the section: 100 MiB (1 MiB when quick). */
export async function largeScrapeSection(
  lab: Lab,
  children: ChildSet,
  prepare: (size: number) => Promise<void>,
): Promise<LargeScrapeResult> {
  const size = lab.quick ? 1024 * 1024 : 100 * 1024 * 1024;
  await prepare(size);
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl);
    const client = await startClient(scoped, lab.impl, `http://127.0.0.1:${proxy.port}/`, "127.0.0.1");
    await waitForClients(proxy, { names: ["127.0.0.1"] });
    const connection = new KeepAliveConnection("127.0.0.1", proxy.port);
    try {
      const scrape = async (bytes: number) => {
        const head = scrapeHead({
          url: `http://127.0.0.1:${lab.targetPort}/bytes/${bytes}`,
          timeoutSeconds: 120,
        }, true);
        const response = await connection.request(head, 130_000);
        if (response.status !== 200 || response.bodyBytes !== bytes) {
          throw new Error(
            `Scrape of ${bytes} bytes answered ${response.status} with ${response.bodyBytes} bytes`,
          );
        }
      };
      await scrape(1024);
      const pids = [proxy.child.pid, client.pid];
      const before = pids.map((pid) => ({ rss: rssBytes(pid), hwm: peakRssBytes(pid) }));
      lab.log(`large scrape: ${size} bytes`);
      const stopSampling = sampleRss(pids, 10);
      const started = performance.now();
      await scrape(size);
      const durationMs = performance.now() - started;
      const sampled = stopSampling();
      const memory = pids.map((pid, i): PeakMemory => {
        const hwmAfter = peakRssBytes(pid);
        const peak = hwmAfter > before[i]!.hwm ? hwmAfter : sampled[i]!;
        return {
          rssBefore: before[i]!.rss,
          hwmBefore: before[i]!.hwm,
          hwmAfter,
          sampledPeak: sampled[i]!,
          raisedBytes: Math.max(0, peak - before[i]!.rss),
        };
      });
      return { bodyBytes: size, durationMs: round(durationMs, 1), proxy: memory[0]!, client: memory[1]! };
    } finally {
      connection.close();
    }
  });
}
