/**
 * How much memory a runtime's `node:http` server costs per held long poll by itself, with nothing of ours
 * on top: the floor under the benchmark's "proxy memory per idle client" (issue 5 asks for 8 KB at 10,000).
 * Same pollers and the same RSS reading as the benchmark's idle-memory section.
 *
 * Usage: deno run -A scripts/idle_floor.ts [--runtime=bun|deno] [--clients=10000]
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { sleep } from "../test/support/wait.ts";
import { freePort } from "../test/support/ports.ts";
import { repoPath } from "../test/support/paths.ts";
import { ChildSet } from "./bench/children.ts";
import { RpcChild } from "./bench/helper_rpc.ts";
import { rssBytes } from "./bench/proc_stat.ts";
import { waitForListen } from "./bench/lab.ts";

async function held(port: number): Promise<number> {
  return Number(await (await fetch(`http://127.0.0.1:${port}/held`)).text());
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runtime: { type: "string", default: "bun" }, clients: { type: "string", default: "10000" } },
  });
  const runtime = values.runtime!;
  if (runtime !== "bun" && runtime !== "deno") {
    throw new TypeError(`--runtime must be bun or deno, not "${runtime}"`);
  }
  const clients = Number(values.clients);
  if (!Number.isSafeInteger(clients) || clients < 1) {
    throw new RangeError(`--clients must be a positive integer`);
  }
  const children = new ChildSet();
  try {
    const port = await freePort();
    const script = repoPath("scripts/bench/floor_server.ts");
    const server = children.spawn({
      name: `bare node:http server (${runtime})`,
      command: repoPath(`node_modules/.bin/${runtime}`),
      args: runtime === "deno" ? ["run", "-A", script, `--port=${port}`] : [script, `--port=${port}`],
    });
    await waitForListen(port, server);
    const pollers = new RpcChild(children, "idle pollers", repoPath("scripts/bench/idle_pollers.ts"), [
      `--proxy=127.0.0.1:${port}`,
    ]);
    await pollers.waitReady();
    // One poll first, so lazily loaded code is not counted per connection.
    await pollers.call("open", { count: 1, prefix: "warmup" });
    await pollers.call("closeAll");
    await sleep(2000);
    const before = rssBytes(server.pid);
    await pollers.call("open", { count: clients, prefix: "floor" }, 300_000);
    while (await held(port) < clients) await sleep(200);
    await sleep(2000);
    const after = rssBytes(server.pid);
    const perClient = (after - before) / clients;
    process.stdout.write(
      `${runtime} node:http, ${clients} held polls: RSS ${(before / 1e6).toFixed(1)} -> ${
        (after / 1e6).toFixed(1)
      } MB, ` +
        `${(perClient / 1000).toFixed(1)} KB per poll\n`,
    );
  } finally {
    await children.stopAll();
  }
}

if (import.meta.main) await main();
