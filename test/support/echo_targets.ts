/**
 * Scrape targets on many loopback addresses (127.0.0.2, 127.0.0.3, ...; all of 127.0.0.0/8 is loopback on
 * Linux) and one port, each answering with a metric that names the address it was reached at. With one
 * client per address (`--fqdn=127.0.0.N`), a scrape that came back with another host's metrics shows as a
 * series whose `served_for` differs from its `instance`.
 * @module
 */
import { createServer, type Server } from "node:http";
import type { ProcessSet } from "./process.ts";
import { freePort } from "./ports.ts";

/** Targets listening on `hosts`, all on `port`. */
export interface EchoTargets {
  readonly port: number;
  readonly hosts: readonly string[];
}

/** The body served at `host`. */
export function echoBody(host: string): string {
  return `# TYPE pushprox_echo_host gauge\npushprox_echo_host{served_for="${host}"} 1\n`;
}

/** Starts one target per address 127.0.0.<first>..127.0.0.<first+count-1>; `procs.cleanup()` closes them. */
export async function startEchoTargets(procs: ProcessSet, count: number, first = 2): Promise<EchoTargets> {
  const port = await freePort();
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
  const servers: Server[] = [];
  procs.defer(() =>
    Promise.all(servers.map((server) =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
    ))
  );
  for (const host of hosts) {
    const body = echoBody(host);
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  }
  return { port, hosts };
}
