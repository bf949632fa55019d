/**
 * The Bun adapter: Bun's own APIs where they exist, node:http (shared with Deno) for serving, and our raw
 * HTTP client over Bun.connect for the client's legs (see raw_http_client.ts).
 */
import type { Runtime } from "./types.ts";
import { serveNodeHttp } from "./node_http_server.ts";
import { serveBunRaw } from "./bun_http_server.ts";
import { type BunConnect, bunDialer } from "./bun_dial.ts";
import { createRawHttpClient } from "./raw_http_client.ts";
import { BufferPool } from "./raw_http_body.ts";
import { lookupFqdn } from "./fqdn.ts";
import process from "node:process";
import { writeSync } from "node:fs";

/** The slice of Bun's global we use, declared here so the rest of the code never needs Bun's types. */
declare const Bun: {
  readonly version: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string | undefined>;
  file(path: string): { text(): Promise<string> };
  readonly connect: BunConnect;
};

export function bunRuntime(): Runtime {
  // One pool for every client of this runtime: the push leg recycles the buffers the target leg filled.
  const pool = new BufferPool();
  return {
    name: "bun",
    version: Bun.version,
    // argv[0] is bun (or the compiled binary), argv[1] the script (or its embedded path).
    args: Bun.argv.slice(2),
    env: (name) => Bun.env[name],
    fqdn: () => lookupFqdn(),
    // Opt-in for now: our own HTTP/1.1 server over Bun.listen costs ~40% less memory per held poll and
    // ~16% less CPU per scrape than node:http, but is new; PUSHPROX_BUN_SERVER=raw selects it.
    serve: Bun.env.PUSHPROX_BUN_SERVER === "raw" ? serveBunRaw : serveNodeHttp,
    httpClient: (tls) => createRawHttpClient(bunDialer(Bun.connect, tls), { pool }),
    readTextFile: (path) => Bun.file(path).text(),
    onShutdownSignal(onSignal) {
      let fired = false;
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, () => {
          if (fired) return;
          fired = true;
          onSignal(signal);
        });
      }
    },
    // Synchronous writes: a log line or an error must be out before a following exit().
    writeStdout: (text) => void writeSync(1, text),
    writeStderr: (text) => void writeSync(2, text),
    exit: (code) => process.exit(code),
  };
}
