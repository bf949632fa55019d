/**
 * A real `redis-server` (Debian's package) on a free loopback port, without persistence, for the cluster
 * tests. Stopped by the ProcessSet's cleanup like every other process.
 * @module
 */
import { freePort, waitForPort } from "./ports.ts";
import type { ManagedProcess, ProcessSet } from "./process.ts";
import { requireDebianBinary } from "./prometheus.ts";

export const REDIS_SERVER_BIN = "/usr/bin/redis-server";

/** A started redis-server. */
export interface RedisHandle {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, what `--cluster.redis-url` gets. */
  readonly url: string;
  readonly process: ManagedProcess;
}

/** Starts redis-server on `port` (default: a free one) and waits until it accepts connections. */
export async function startRedis(procs: ProcessSet, port?: number): Promise<RedisHandle> {
  requireDebianBinary(REDIS_SERVER_BIN, "redis-server");
  const chosen = port ?? await freePort();
  const child = procs.spawn({
    name: "redis-server",
    command: REDIS_SERVER_BIN,
    args: ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
  });
  await waitForPort(chosen, {
    what: child.name,
    abortReason: () => child.deathReason(),
    details: () => child.logs(),
  });
  return { port: chosen, url: `redis://127.0.0.1:${chosen}`, process: child };
}
