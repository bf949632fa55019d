/**
 * `--web.config.file` at the proxy's start: read and validate the file and the TLS files it names, build
 * the access control. Every failure is one line naming the file and problem, for the entry point to print.
 * @module
 */
import type { Runtime, ServerTls } from "../runtime/types.ts";
import { parseWebConfig, type WebConfig } from "../proxy/web_config/load.ts";
import { readServerTls } from "../proxy/web_config/tls_files.ts";
import { AccessControl } from "../proxy/auth/access.ts";

/** What the proxy runs with when a web config file is given. */
export interface WebSetup {
  readonly config: WebConfig;
  readonly tls: ServerTls | undefined;
  /** Null when the file configures no users and no client certificates: everyone may do everything. */
  readonly access: AccessControl | null;
}

/**
 * Loads the file; a string is the one-line reason it cannot be used.
 *
 * @example
 * ```ts
 * const setup = await loadWebSetup(runtime, "/etc/pushprox/web.yml");
 * if (typeof setup === "string") runtime.writeStderr(`proxy: ${setup}\n`);
 * ```
 */
export async function loadWebSetup(runtime: Runtime, file: string): Promise<WebSetup | string> {
  let text: string;
  try {
    text = await runtime.readTextFile(file);
  } catch (error) {
    return `Cannot read web config "${file}": ${(error as Error).message}`;
  }
  let config: WebConfig;
  let tls: ServerTls | undefined;
  try {
    config = parseWebConfig(file, text);
    tls = config.tls === null
      ? undefined
      : await readServerTls(config.tls, (path) => runtime.readTextFile(path));
  } catch (error) {
    return (error as Error).message;
  }
  const clientAuth = config.tls?.clientAuth ?? "NoClientCert";
  const open = config.access.users.size === 0 && clientAuth === "NoClientCert";
  return { config, tls, access: open ? null : new AccessControl({ settings: config.access, clientAuth }) };
}
