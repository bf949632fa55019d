/**
 * The Deno adapter: Deno's own APIs where they exist, node:http (shared with Bun) for serving, and our own
 * raw HTTP client over Deno.connect for the client's legs (Deno's node:http client costs 100+ MB of peak
 * memory per 100 MiB relayed; see src/http/client/client.ts).
 */
import type { Runtime } from "../types.ts";
import { serveNodeHttp } from "../../http/server/node_server.ts";
import { createRawHttpClient } from "../../http/client/client.ts";
import { BufferPool } from "../../http/client/response.ts";
import { denoDialer } from "./dial.ts";
import { lookupFqdn } from "../fqdn.ts";

const encoder = new TextEncoder();

export function denoRuntime(): Runtime {
  // One pool for every client of this runtime: the push leg recycles the buffers the target leg filled.
  const pool = new BufferPool();
  return {
    name: "deno",
    version: Deno.version.deno,
    args: Deno.args,
    env: (name) => Deno.env.get(name),
    fqdn: () => lookupFqdn(),
    serve: (options) => serveNodeHttp(options, { enforceTimeouts: true, backlogBoundsConnections: true }),
    httpClient: (tls) => createRawHttpClient(denoDialer(tls), { pool }),
    readTextFile: (path) => Deno.readTextFile(path),
    onShutdownSignal(onSignal) {
      let fired = false;
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        Deno.addSignalListener(signal, () => {
          if (fired) return;
          fired = true;
          onSignal(signal);
        });
      }
    },
    writeStdout: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    writeStderr: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    exit: (code) => Deno.exit(code),
  };
}
