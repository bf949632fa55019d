/** The Deno adapter: Deno's own APIs where they exist, node:http (shared with Bun) for serving and raw HTTP. */
import type { Runtime } from "./types.ts";
import { serveNodeHttp } from "./node_http_server.ts";
import { createNodeHttpClient } from "./node_http_client.ts";
import { lookupFqdn } from "./fqdn.ts";

const encoder = new TextEncoder();

export function denoRuntime(): Runtime {
  return {
    name: "deno",
    version: Deno.version.deno,
    args: Deno.args,
    env: (name) => Deno.env.get(name),
    fqdn: () => lookupFqdn(),
    serve: serveNodeHttp,
    httpClient: createNodeHttpClient,
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
