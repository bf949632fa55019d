/**
 * Section 6: bytes on the client-to-proxy link per scrape, with gzip (what Prometheus asks for) and
 * without. The client reaches the proxy through a counting relay; the load side scrapes the proxy
 * directly. A scrape's cost on the link is the poll answer (the scrape request) going down, and the push
 * plus the next poll going up, so counts are taken over whole scrapes and divided.
 * @module
 */
import { sleep } from "../../test/support/wait.ts";
import { ByteRelay } from "./byte_relay.ts";
import type { ChildSet } from "./children.ts";
import { type Lab, startClient, startProxy, waitForClients } from "./lab.ts";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";
import { round } from "./stats.ts";

/** Bytes per scrape in one mode. */
export interface LinkFigures {
  readonly scrapes: number;
  /** Client to proxy (pushes and polls). */
  readonly upBytesPerScrape: number;
  /** Proxy to client (scrape requests). */
  readonly downBytesPerScrape: number;
  /** Body bytes Prometheus received per scrape (compressed when gzip). */
  readonly bodyBytesPerScrape: number;
}

/** The section's result. */
export interface LinkBytesResult {
  /** "node exporter" or "static target" (when node exporter is not installed). */
  readonly target: string;
  readonly gzip: LinkFigures;
  readonly plain: LinkFigures;
  /** plain up-bytes / gzip up-bytes. */
  readonly gzipSavingFactor: number;
}

/** Runs the section: 20 scrapes per mode (3 when quick). */
export async function linkBytesSection(lab: Lab, children: ChildSet): Promise<LinkBytesResult> {
  const scrapes = lab.quick ? 3 : 20;
  const url = lab.nodeExporterPort !== null
    ? `http://127.0.0.1:${lab.nodeExporterPort}/metrics`
    : `http://127.0.0.1:${lab.targetPort}/negotiate/${200 * 1024}`;
  return await children.scope(async (scoped) => {
    const proxy = await startProxy(scoped, lab.impl);
    const relay = await ByteRelay.start(proxy.port);
    const connection = new KeepAliveConnection("127.0.0.1", proxy.port);
    try {
      await startClient(scoped, lab.impl, `http://127.0.0.1:${relay.port}/`, "127.0.0.1");
      await waitForClients(proxy, { names: ["127.0.0.1"] });
      const measure = async (gzip: boolean): Promise<LinkFigures> => {
        const head = scrapeHead({ url, gzip, timeoutSeconds: 30 }, true);
        await connection.request(head, 35_000);
        // Let the client's next poll go out before counting, so every scrape counted pays for one poll.
        await sleep(200);
        const before = relay.counts();
        let body = 0;
        for (let i = 0; i < scrapes; i++) {
          const response = await connection.request(head, 35_000);
          if (response.status !== 200) throw new Error(`Scrape of ${url} answered ${response.status}`);
          body += response.bodyBytes;
        }
        await sleep(200);
        const after = relay.counts();
        return {
          scrapes,
          upBytesPerScrape: round((after.up - before.up) / scrapes, 0),
          downBytesPerScrape: round((after.down - before.down) / scrapes, 0),
          bodyBytesPerScrape: round(body / scrapes, 0),
        };
      };
      lab.log(`link bytes: ${scrapes} scrapes with and without gzip`);
      const gzip = await measure(true);
      const plain = await measure(false);
      return {
        target: lab.nodeExporterPort !== null ? "node exporter" : "static target",
        gzip,
        plain,
        gzipSavingFactor: round(plain.upBytesPerScrape / Math.max(gzip.upBytesPerScrape, 1), 2),
      };
    } finally {
      connection.close();
      await relay.close();
    }
  });
}
