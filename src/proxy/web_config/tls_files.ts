/**
 * The TLS listener's certificate, key and client CA, read from the files the web config names, and read
 * again every few seconds so a rotated certificate takes effect without a restart (exporter-toolkit reads
 * them on every handshake; comparing the text of three small files every 2 s is as good and costs
 * nothing measurable). A half-finished rotation (a new certificate with the old key) fails to load, is
 * logged, and is tried again at the next check while the old material stays in force.
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { ServerTls } from "../../runtime/types.ts";
import type { Clock } from "../../time/clock.ts";
import type { TlsServerSettings } from "./load.ts";

/** How often the files are compared with what is in force. */
export const TLS_CHECK_INTERVAL_MS = 2000;

/**
 * Reads the files into listener options.
 *
 * @throws {TypeError} `Cannot read tls_server_config.cert_file "PATH": REASON` (one line).
 * @example
 * ```ts
 * const tls = await readServerTls(settings, (path) => runtime.readTextFile(path));
 * ```
 */
export async function readServerTls(
  settings: TlsServerSettings,
  read: (path: string) => Promise<string>,
): Promise<ServerTls> {
  const file = async (key: string, path: string) => {
    try {
      return await read(path);
    } catch (error) {
      throw new TypeError(`Cannot read tls_server_config.${key} "${path}": ${(error as Error).message}`);
    }
  };
  // One after the other, so that of several unreadable files the first in the file is the one named.
  const cert = await file("cert_file", settings.certFile);
  const key = await file("key_file", settings.keyFile);
  const ca = settings.clientCaFile === null ? undefined : await file("client_ca_file", settings.clientCaFile);
  checkKeyPair(cert, key, settings);
  return {
    cert,
    key,
    ca,
    requestCert: settings.clientAuth !== "NoClientCert",
    rejectUnauthorized: settings.clientAuth === "RequireAndVerifyClientCert",
    minVersion: settings.minVersion === "TLS13" ? "TLSv1.3" : "TLSv1.2",
  };
}

/**
 * Refuses a key that does not belong to the certificate. Not every runtime's TLS checks this when handed new
 * material (Deno's setSecureContext takes the pair and every handshake fails after), and a rotation caught
 * half-way (new certificate, old key) must never be put in force.
 */
function checkKeyPair(cert: string, key: string, settings: TlsServerSettings): void {
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new TypeError(
      `Cannot use tls_server_config.cert_file "${settings.certFile}" with key_file "${settings.keyFile}": ${
        (error as Error).message
      }`,
    );
  }
  if (!matches) {
    throw new TypeError(
      `Cannot use tls_server_config.key_file "${settings.keyFile}": it is not the key of cert_file "${settings.certFile}"`,
    );
  }
}

export interface TlsWatchOptions {
  readonly settings: TlsServerSettings;
  readonly read: (path: string) => Promise<string>;
  readonly timers: Clock;
  /** What is in force now. */
  readonly current: ServerTls;
  /** Puts new material in force; rejects when it is unusable. */
  readonly apply: (tls: ServerTls) => Promise<void>;
  readonly onChanged: () => void;
  readonly onFailed: (error: Error) => void;
  readonly intervalMs?: number;
}

/**
 * Checks the files every `intervalMs` until the returned function is called.
 *
 * @example
 * ```ts
 * const stop = watchServerTls({ settings, read, timers, current, apply: server.updateTls, ... });
 * ```
 */
export function watchServerTls(options: TlsWatchOptions): () => void {
  let current = options.current;
  /** Material that failed to apply: not tried again until the files change once more. */
  let failed: ServerTls | null = null;
  /** The last problem reported, so a lasting one is logged once, not every few seconds. */
  let lastProblem = "";
  let timer: unknown;
  let stopped = false;
  const same = (a: ServerTls, b: ServerTls) => a.cert === b.cert && a.key === b.key && a.ca === b.ca;
  const report = (error: unknown) => {
    const problem = error instanceof Error ? error : new Error(String(error));
    if (problem.message === lastProblem) return;
    lastProblem = problem.message;
    options.onFailed(problem);
  };
  const check = async () => {
    let next: ServerTls;
    try {
      next = await readServerTls(options.settings, options.read);
    } catch (error) {
      return report(error);
    }
    if (same(next, current)) return void (lastProblem = "");
    if (failed !== null && same(next, failed)) return;
    try {
      await options.apply(next);
    } catch (error) {
      failed = next;
      return report(error);
    }
    current = next;
    failed = null;
    lastProblem = "";
    options.onChanged();
  };
  const schedule = () => {
    if (stopped) return;
    timer = options.timers.setTimeout(
      () => void check().finally(schedule),
      options.intervalMs ?? TLS_CHECK_INTERVAL_MS,
    );
  };
  schedule();
  return () => {
    stopped = true;
    options.timers.clearTimeout(timer);
  };
}
