/**
 * The benchmark's scrape target, run as a helper process: `GET /bytes/<n>` answers with exactly `n` bytes
 * of metric-like text framed by Content-Length; `GET /negotiate/<n>` answers the same text gzip-compressed
 * when the request accepts gzip (a stand-in for node exporter when it is not installed). Listens on every
 * address given (all in 127.0.0.0/8) on one port, so clients named `127.0.0.2` ... can scrape "their" host.
 *
 * Usage: static_target.ts --hosts=127.0.0.1,127.0.0.2
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { serveRpc } from "./helper_rpc.ts";

/**
 * `size` bytes of Prometheus text format, ending in a newline. Built from one 64 KiB block repeated, so
 * 100 MiB is cheap to make.
 *
 * @example
 * ```ts
 * metricText(64).length; // 64
 * ```
 */
export function metricText(size: number): Uint8Array {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < 65536; i++) {
    const line = `bench_series_total{instance="static",series="${String(i).padStart(6, "0")}"} ${i * 7}\n`;
    lines.push(line);
    length += line.length;
  }
  const block = new TextEncoder().encode(lines.join(""));
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += block.length) {
    out.set(block.subarray(0, Math.min(block.length, size - at)), at);
  }
  if (size > 0) out[size - 1] = 0x0a;
  return out;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { hosts: { type: "string", default: "127.0.0.1" } } });
  const hosts = values.hosts.split(",").filter((host) => host !== "");
  if (hosts.some((host) => !host.startsWith("127."))) {
    throw new RangeError(`Refusing to listen outside 127.0.0.0/8: ${values.hosts}`);
  }
  const plain = new Map<number, Uint8Array>();
  const gzipped = new Map<number, Uint8Array>();
  const bodyOf = (size: number) => plain.get(size) ?? plain.set(size, metricText(size)).get(size)!;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/(bytes|negotiate)\/(\d+)$/.exec(req.url ?? "");
    const size = Number(match?.[2]);
    if (match === null || !Number.isSafeInteger(size) || size > 1024 * 1024 * 1024) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such path\n");
      return;
    }
    const gzip = match[1] === "negotiate" && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip
      ? gzipped.get(size) ?? gzipped.set(size, gzipSync(bodyOf(size))).get(size)!
      : bodyOf(size);
    const headers: Record<string, string> = {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "content-length": String(body.length),
    };
    if (gzip) headers["content-encoding"] = "gzip";
    res.writeHead(200, headers).end(body);
  };
  // One server per address: the port is chosen on the first and then reused on the others.
  for (let attempt = 0; attempt < 5; attempt++) {
    const servers = hosts.map(() => createServer({ keepAliveTimeout: 120_000 }, handler));
    try {
      const port = await listen(servers[0]!, hosts[0]!, 0);
      for (let i = 1; i < hosts.length; i++) await listen(servers[i]!, hosts[i]!, port);
      serveRpc({ port }, {
        prepare: (params) => {
          bodyOf(Number(params.size));
          return null;
        },
      });
      return;
    } catch (error) {
      for (const server of servers) server.close();
      if (attempt === 4) throw error;
    }
  }
}

if (import.meta.main) await main();
