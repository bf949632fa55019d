/**
 * A real `redis-server` (Debian's package) on a free loopback port, without persistence, for the cluster
 * tests. Stopped by the ProcessSet's cleanup like every other process.
 * @module
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";
import type { ManagedProcess, ProcessSet } from "./process.ts";
import { requireDebianBinary, tempDir } from "./prometheus.ts";
import type { TestTls } from "../../src/http/testing/tls.ts";

export const REDIS_SERVER_BIN = "/usr/bin/redis-server";

/** A started redis-server. */
export interface RedisHandle {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` (`rediss://` with TLS), what `--cluster.redis-url` gets. */
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * Starts redis-server on `port` (default: a free one) and waits until it accepts connections. With `tls`,
 * it serves TLS only, with that certificate, and asks clients for none.
 */
export async function startRedis(procs: ProcessSet, port?: number, tls?: TestTls): Promise<RedisHandle> {
  requireDebianBinary(REDIS_SERVER_BIN, "redis-server");
  const chosen = port ?? await freePort();
  const listen = ["--port", String(chosen)];
  if (tls !== undefined) {
    const dir = await tempDir(procs, "redis-tls");
    for (const [name, text] of [["cert.pem", tls.cert], ["key.pem", tls.key], ["ca.pem", tls.ca]]) {
      await writeFile(join(dir, name!), text!);
    }
    listen.splice(0, 2, "--port", "0", "--tls-port", String(chosen), "--tls-auth-clients", "no");
    listen.push("--tls-cert-file", join(dir, "cert.pem"), "--tls-key-file", join(dir, "key.pem"));
    listen.push("--tls-ca-cert-file", join(dir, "ca.pem"));
  }
  const child = procs.spawn({
    name: "redis-server",
    command: REDIS_SERVER_BIN,
    args: [...listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
  });
  await waitForPort(chosen, {
    what: child.name,
    abortReason: () => child.deathReason(),
    details: () => child.logs(),
  });
  const scheme = tls === undefined ? "redis" : "rediss";
  return { port: chosen, url: `${scheme}://127.0.0.1:${chosen}`, process: child };
}
