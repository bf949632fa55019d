/**
 * Many PushProx clients in one helper process, for the soak run (1,000 real client processes would not
 * fit in memory). Each one loops like our client: `POST /poll` with its FQDN (and `PushProx-Accept-Idle`,
 * so idle polls come back as 204 and are renewed), reads the scrape request with our wire module, and
 * pushes a fixed metrics payload as the serialized response. Commands: `stats`.
 *
 * Usage: sim_clients.ts --proxy=http://127.0.0.1:8080/ --count=1000 --prefix=sim --payload-bytes=1024
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { parseScrapeRequest, serializeScrapeResponse } from "../../src/wire/mod.ts";
import { serveRpc } from "./helper_rpc.ts";
import { metricText } from "./static_target.ts";

/** Counters since start. */
export interface SimStats {
  readonly clients: number;
  readonly polls: number;
  readonly idleAnswers: number;
  readonly scrapes: number;
  readonly pollErrors: number;
  readonly pushErrors: number;
  /** The first few error messages. */
  readonly errorSamples: readonly string[];
}

/** The FQDN of simulated client `index`, e.g. `sim-0007.soak`. */
export function simFqdn(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(4, "0")}.soak`;
}

/** Reads a whole stream of bytes into one array (the push body is small). */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      proxy: { type: "string" },
      count: { type: "string", default: "1000" },
      prefix: { type: "string", default: "sim" },
      "payload-bytes": { type: "string", default: "1024" },
    },
  });
  const proxy = new URL(values.proxy ?? "");
  if (!proxy.hostname.startsWith("127.")) {
    throw new RangeError(`Refusing a proxy outside 127.0.0.0/8: ${values.proxy}`);
  }
  const count = Number(values.count);
  const payload = metricText(Number(values["payload-bytes"]));
  const stats = {
    clients: count,
    polls: 0,
    idleAnswers: 0,
    scrapes: 0,
    pollErrors: 0,
    pushErrors: 0,
    errorSamples: [] as string[],
  };
  const note = (message: string) => {
    if (stats.errorSamples.length < 10) stats.errorSamples.push(message);
  };
  let running = true;

  async function push(id: string, timeout: string | undefined): Promise<void> {
    const extra: Array<readonly [string, string]> = [["Id", id]];
    if (timeout !== undefined) extra.push(["X-Prometheus-Scrape-Timeout", timeout]);
    const body = serializeScrapeResponse(
      {
        status: 200,
        statusText: "OK",
        headers: [["Content-Type", "text/plain; version=0.0.4; charset=utf-8"]],
      },
      new Blob([payload as Uint8Array<ArrayBuffer>]).stream(),
      { contentLength: payload.length, extraHeaders: extra },
    );
    const bytes = await collect(body);
    const response = await fetch(new URL("push", proxy), {
      method: "POST",
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`push answered ${response.status}`);
  }

  async function client(fqdn: string): Promise<void> {
    while (running) {
      let request;
      try {
        stats.polls++;
        const response = await fetch(new URL("poll", proxy), {
          method: "POST",
          headers: { "PushProx-Accept-Idle": "1" },
          body: fqdn,
        });
        const body = new Uint8Array(await response.arrayBuffer());
        if (response.status === 204) {
          stats.idleAnswers++;
          continue;
        }
        if (response.status !== 200) throw new Error(`poll answered ${response.status}`);
        request = parseScrapeRequest(body);
      } catch (error) {
        if (!running) return;
        stats.pollErrors++;
        note(`poll ${fqdn}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const timeout = request.headers.find(([name]) =>
        name.toLowerCase() === "x-prometheus-scrape-timeout-seconds"
      )?.[1];
      try {
        await push(request.id, timeout);
        stats.scrapes++;
      } catch (error) {
        stats.pushErrors++;
        note(`push ${fqdn}: ${(error as Error).message}`);
      }
    }
  }

  for (let i = 0; i < count; i++) void client(simFqdn(values.prefix, i));
  serveRpc({ pid: process.pid, count }, {
    stats: (): SimStats => ({ ...stats, errorSamples: [...stats.errorSamples] }),
    stop: () => {
      running = false;
      return null;
    },
  }, () => {
    running = false;
  });
}

if (import.meta.main) main();
