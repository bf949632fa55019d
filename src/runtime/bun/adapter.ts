/**
 * The Bun adapter: Bun's own APIs where they exist, our HTTP/1.1 server over Bun.listen (node:http, shared
 * with Deno, as a fallback), and our raw HTTP client over Bun.connect for the client's legs (see
 * src/http/client/client.ts).
 */
import type { Runtime } from "../types.ts";
import { serveNodeHttp } from "../../http/server/node_server.ts";
import { serveBunRaw } from "../../http/server/server.ts";
import { bunDialer } from "./dial.ts";
import { bunConnect, bunListen } from "./sockets.ts";
import { createRawHttpClient } from "../../http/client/client.ts";
import { BufferPool } from "../../http/client/response.ts";
import { lookupFqdn } from "../fqdn.ts";
import process from "node:process";
import { writeSync } from "node:fs";

/** The slice of Bun's global we use, declared here so the rest of the code never needs Bun's types. */
declare const Bun: {
  readonly version: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string | undefined>;
  file(path: string): { text(): Promise<string> };
};

/**
 * Our own HTTP/1.1 server over Bun.listen by default: it keeps the request line (Bun.serve does not), holds
 * an idle client for about half the memory of node:http and spends ~20% less CPU per scrape (README,
 * Performance). `PUSHPROX_BUN_SERVER=node` falls back to node:http, which every test also runs against.
 */
function pickServer(choice: string | undefined): Runtime["serve"] {
  if (choice === undefined || choice === "" || choice === "bun") {
    return (options) => serveBunRaw(options, bunListen);
  }
  if (choice === "node") return serveNodeHttp;
  return () => Promise.reject(new TypeError(`PUSHPROX_BUN_SERVER must be "bun" or "node", not "${choice}"`));
}

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
    serve: pickServer(Bun.env.PUSHPROX_BUN_SERVER),
    httpClient: (tls) => createRawHttpClient(bunDialer(bunConnect, tls), { pool }),
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
