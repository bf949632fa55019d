/**
 * Idle clients as far as the proxy can tell, run as a helper process: raw TCP connections that each send
 * `POST /poll` with a distinct FQDN and then wait. They never send `PushProx-Accept-Idle`, so the proxy
 * holds them open, as it holds upstream's Go clients. Commands: `open {count, prefix}` (adds that many,
 * resolves once all requests are written), `status`, `closeAll`.
 *
 * Usage: idle_pollers.ts --proxy=127.0.0.1:8080
 * @module
 */
import { createConnection, type Socket } from "node:net";
import process from "node:process";
import { parseArgs } from "node:util";
import { serveRpc } from "./helper_rpc.ts";

/** Connections opened at once: enough to be quick, few enough not to overflow the proxy's accept queue. */
const OPEN_CONCURRENCY = 64;

/** The bytes of one poll for `fqdn`, as upstream's Go client sends it. */
export function pollRequest(fqdn: string, proxyHost: string): string {
  return `POST /poll HTTP/1.1\r\nHost: ${proxyHost}\r\nUser-Agent: Go-http-client/1.1\r\n` +
    `Content-Length: ${fqdn.length}\r\nAccept-Encoding: gzip\r\n\r\n${fqdn}`;
}

function main(): void {
  const { values } = parseArgs({ options: { proxy: { type: "string" } } });
  const [host, portText] = (values.proxy ?? "").split(":");
  const port = Number(portText);
  if (host === undefined || !host.startsWith("127.") || !(port > 0)) {
    throw new RangeError(`Bad --proxy "${values.proxy}"`);
  }
  const sockets = new Set<Socket>();
  let answered = 0;
  let failed = 0;
  let opened = 0;

  const openOne = (fqdn: string) =>
    new Promise<void>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once("connect", () => {
        sockets.add(socket);
        socket.write(pollRequest(fqdn, values.proxy!), () => resolve());
      });
      // Any answer means the proxy did not hold the poll: counted, so the benchmark can report it.
      socket.once("data", () => answered++);
      socket.once("error", () => {
        failed++;
        resolve();
      });
      socket.once("close", () => sockets.delete(socket));
    });

  serveRpc({ pid: process.pid }, {
    open: async (params) => {
      const count = Number(params.count);
      const prefix = String(params.prefix ?? "idle");
      const start = opened;
      opened += count;
      let next = start;
      const worker = async () => {
        while (next < start + count) await openOne(`${prefix}-${String(next++).padStart(5, "0")}.bench`);
      };
      await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, worker));
      return { open: sockets.size, answered, failed };
    },
    status: () => ({ open: sockets.size, answered, failed }),
    closeAll: async () => {
      const closing = [...sockets].map((socket) => new Promise((done) => socket.once("close", done)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
      return { open: sockets.size };
    },
  });
}

if (import.meta.main) main();
