/**
 * Section 3: proxy memory per idle connected client. Idle clients are raw long polls from one helper
 * process (see idle_pollers.ts); the figure is (RSS with N - RSS with 0) / N, after `/clients` lists all N.
 * Then every poll is closed and, a few seconds later, RSS is read again: memory that does not come back
 * down is a leak, or at least a high-water mark the runtime keeps.
 * @module
 */
import { sleep } from "../../test/support/wait.ts";
import type { ChildSet } from "./children.ts";
import { RpcChild } from "./helper_rpc.ts";
import { type Lab, startProxy, waitForClients } from "./lab.ts";
import { rssBytes } from "./proc_stat.ts";
import { quantile, round } from "./stats.ts";

/** RSS with N idle clients. */
export interface IdlePoint {
  readonly clients: number;
  readonly rssBytes: number;
  readonly bytesPerClient: number;
  /** Polls the proxy answered although nothing was scraped (should be 0). */
  readonly answered: number;
  readonly failedConnections: number;
}

/** The section's result. */
export interface IdleMemoryResult {
  readonly baselineRssBytes: number;
  readonly points: readonly IdlePoint[];
  /** RSS a few seconds after every poll was closed. */
  readonly afterCloseRssBytes: number;
  /** How many seconds after closing that was read. */
  readonly afterCloseSeconds: number;
  /** Share of the growth at the largest N given back after closing (1 = all of it). */
  readonly returnedShare: number;
  /** True when at least half of the growth was given back. */
  readonly cameBackDown: boolean;
  /** `/clients` entries left once every poll had been closed. */
  readonly clientsListedAfterClose: number;
}

/** RSS read a few times over `spanMs`; the median, so one read during a GC does not count alone. */
async function steadyRss(pid: number, reads = 5, spanMs = 1000): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < reads; i++) {
    samples.push(rssBytes(pid));
    await sleep(spanMs / reads);
  }
  return quantile(samples, 0.5);
}

/** Runs the section with 1,000, 5,000 and 10,000 idle clients (20 and 50 when quick). */
export async function idleMemorySection(lab: Lab, children: ChildSet): Promise<IdleMemoryResult> {
  const counts = lab.quick ? [20, 50] : [1000, 5000, 10_000];
  const settleMs = lab.quick ? 200 : 2000;
  const afterCloseMs = lab.quick ? 500 : 5000;
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl);
    const pollers = new RpcChild(
      scoped,
      "idle pollers",
      new URL("./idle_pollers.ts", import.meta.url).pathname,
      [
        `--proxy=127.0.0.1:${proxy.port}`,
      ],
    );
    await pollers.waitReady();
    // One request of each kind first, so lazily loaded code is not counted as per-client memory.
    await pollers.call("open", { count: 1, prefix: "warmup" });
    await waitForClients(proxy, { count: 1 });
    await pollers.call("closeAll");
    await sleep(settleMs);
    const baseline = await steadyRss(proxy.child.pid);
    const points: IdlePoint[] = [];
    let open = 0;
    for (const count of counts) {
      lab.log(`idle memory: opening polls up to ${count}`);
      const status = await pollers.call<{ open: number; answered: number; failed: number }>(
        "open",
        { count: count - open, prefix: `idle${count}` },
        300_000,
      );
      open = count;
      await waitForClients(proxy, { count }, 120_000, 500);
      await sleep(settleMs);
      const rss = await steadyRss(proxy.child.pid);
      points.push({
        clients: count,
        rssBytes: rss,
        bytesPerClient: round((rss - baseline) / count, 0),
        answered: status.answered,
        failedConnections: status.failed,
      });
    }
    await pollers.call("closeAll", {}, 120_000);
    await sleep(afterCloseMs);
    const after = await steadyRss(proxy.child.pid);
    const listed = (await fetchCount(proxy.port)) ?? -1;
    const peak = points[points.length - 1]!.rssBytes;
    const returnedShare = peak > baseline ? round((peak - after) / (peak - baseline)) : 1;
    return {
      baselineRssBytes: baseline,
      points,
      afterCloseRssBytes: after,
      afterCloseSeconds: afterCloseMs / 1000,
      returnedShare,
      cameBackDown: returnedShare >= 0.5,
      clientsListedAfterClose: listed,
    };
  });
}

async function fetchCount(port: number): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/clients`);
    return (await response.json() as unknown[]).length;
  } catch {
    return undefined;
  }
}
