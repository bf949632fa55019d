/**
 * Debian's nginx for the recipe tests: runs in the foreground on 127.0.0.1 with its own prefix, pid file,
 * logs and temp paths in a throwaway directory, and is stopped by the harness like every other process.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";
import type { ManagedProcess, ProcessSet } from "./process.ts";
import { requireDebianBinary, tempDir } from "./prometheus.ts";
import { readRecipe, substitute } from "./recipes.ts";

export const NGINX_BIN = "/usr/sbin/nginx";
/** Debian's stream module (package libnginx-mod-stream), which the recipe needs. */
export const NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

/** The recipe, as operators get it. */
export const NGINX_RECIPE = "nginx/pushprox.conf";

/** Where the rendered configuration sends traffic, and the TLS files it uses. */
export interface NginxSetup {
  /** Port of our proxy on 127.0.0.1. */
  readonly proxyPort: number;
  /** PEM texts of the server certificate and key. */
  readonly cert: string;
  readonly key: string;
}

/** A rendered configuration in its own prefix directory. */
export interface RenderedNginx {
  readonly dir: string;
  readonly configFile: string;
  /** The TLS port nginx listens on, on 127.0.0.1. */
  readonly port: number;
}

/**
 * Writes the recipe with the test's ports and certificate, wrapped in a main configuration that keeps
 * every path nginx writes inside a temp directory.
 */
export async function renderNginx(procs: ProcessSet, setup: NginxSetup): Promise<RenderedNginx> {
  requireDebianBinary(NGINX_BIN, "nginx");
  if (!existsSync(NGINX_STREAM_MODULE)) {
    throw new Error(
      `${NGINX_STREAM_MODULE} not found: install the Debian package "libnginx-mod-stream" (apt-get install libnginx-mod-stream)`,
    );
  }
  const dir = await tempDir(procs, "nginx");
  const port = await freePort();
  await writeFile(join(dir, "proxy.crt"), setup.cert);
  await writeFile(join(dir, "proxy.key"), setup.key, { mode: 0o600 });
  let recipe = readRecipe(NGINX_RECIPE);
  recipe = substitute(recipe, "/etc/pushprox/tls/proxy.crt", join(dir, "proxy.crt"));
  recipe = substitute(recipe, "/etc/pushprox/tls/proxy.key", join(dir, "proxy.key"));
  recipe = substitute(recipe, "server 127.0.0.1:8080;", `server 127.0.0.1:${setup.proxyPort};`);
  recipe = substitute(recipe, "listen 8443 ", `listen 127.0.0.1:${port} `);
  await writeFile(join(dir, "pushprox.conf"), recipe);
  const main = [
    `load_module ${NGINX_STREAM_MODULE};`,
    "daemon off;",
    "worker_processes 1;",
    `pid ${join(dir, "nginx.pid")};`,
    `error_log ${join(dir, "error.log")} info;`,
    "events { worker_connections 256; }",
    `include ${join(dir, "pushprox.conf")};`,
    "",
  ].join("\n");
  const configFile = join(dir, "nginx.conf");
  await writeFile(configFile, main);
  return { dir, configFile, port };
}

/** nginx's command-line arguments for `rendered`: its own prefix, config and startup error log. */
export function nginxArgs(rendered: RenderedNginx): string[] {
  return ["-p", `${rendered.dir}/`, "-c", rendered.configFile, "-e", join(rendered.dir, "error.log")];
}

/** Starts nginx in the foreground and waits until it accepts connections. */
export async function startNginx(procs: ProcessSet, rendered: RenderedNginx): Promise<ManagedProcess> {
  const child = procs.spawn({ name: "nginx", command: NGINX_BIN, args: nginxArgs(rendered) });
  await waitForPort(rendered.port, {
    what: child.name,
    abortReason: () => child.deathReason(),
    details: () => `${child.logs()}\n${readLog(rendered)}`,
  });
  return child;
}

/** nginx's error log, for failure messages. */
export function readLog(rendered: RenderedNginx): string {
  try {
    return readFileSync(join(rendered.dir, "error.log"), "utf8");
  } catch {
    return "(no error log)";
  }
}
