/**
 * `client`: parses flags, reads TLS material, starts the metrics page and the poll loop, and runs until
 * the first SIGINT/SIGTERM. Returns the process exit code; only the entry point exits.
 */
import { versionLine } from "../build_info.ts";
import { type ClientMetrics, createClientMetricsPerProxy } from "../client/client_metrics.ts";
import { runAgent } from "../client/agent.ts";
import { pollAnnouncement } from "../client/poll_loop.ts";
import { displayProxyUrl } from "../client/proxy_url.ts";
import { type BasicAuth, parseAuthFile, withProxyAuth } from "../client/proxy_auth.ts";
import { systemClock } from "../time/clock.ts";
import { metricsHandler } from "../client/metrics_server.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import { METRICS_CONTENT_TYPE, Registry } from "../metrics/registry.ts";
import type { Runtime, Server, TlsClientOptions } from "../runtime/types.ts";
import { VERSION } from "../version.ts";
import { UsageError } from "./args.ts";
import { listenFailure } from "./listen_error.ts";
import { type ClientConfig, parseClientFlags } from "./client_flags.ts";

/**
 * Runs the client on `runtime`; resolves with 0 after a clean shutdown, 2 for a bad command line or
 * unreadable TLS file, 1 when the metrics address cannot be bound.
 *
 * @example
 * ```ts
 * runtime.exit(await clientMain(runtime));
 * ```
 */
export async function clientMain(runtime: Runtime): Promise<number> {
  let command;
  try {
    command = parseClientFlags(runtime.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    runtime.writeStderr(`client: ${error.message}\n`);
    return 2;
  }
  if (command.kind === "help") {
    runtime.writeStdout(command.text);
    return 0;
  }
  if (command.kind === "version") {
    runtime.writeStdout(`${versionLine("client", VERSION, runtime.name, runtime.version)}\n`);
    return 0;
  }
  const config = command.config;
  const tls = await readTls(runtime, config.tls);
  if (typeof tls === "string") {
    runtime.writeStderr(`client: ${tls}\n`);
    return 2;
  }
  const auth = await readAuthFile(runtime, config.proxyAuthFile);
  if (typeof auth === "string") {
    runtime.writeStderr(`client: ${auth}\n`);
    return 2;
  }

  const logger = createLogger({ ...config.log, write: (line) => runtime.writeStderr(`${line}\n`) });
  const registry = new Registry();
  const metrics = createClientMetricsPerProxy(registry, config.proxyUrls.map((url) => displayProxyUrl(url)));
  const shutdown = new AbortController();
  runtime.onShutdownSignal((signal) => {
    logger.info("Shutting down", { signal });
    shutdown.abort();
  });

  let server: Server | null = null;
  if (config.metricsListen !== null) {
    const { hostname, port } = config.metricsListen;
    try {
      server = await runtime.serve({
        hostname,
        port,
        handler: metricsHandler(registry, METRICS_CONTENT_TYPE),
      });
    } catch (error) {
      logger.error(listenFailure(error, `${hostname}:${port}`, "metrics-addr"));
      return 1;
    }
  }
  const code = await run(runtime, config, { tls, auth, logger, metrics }, shutdown.signal);
  await server?.close();
  return code;
}

async function run(
  runtime: Runtime,
  config: ClientConfig,
  parts: { tls: TlsClientOptions; auth: BasicAuth | null; logger: Logger; metrics: readonly ClientMetrics[] },
  signal: AbortSignal,
): Promise<number> {
  const { logger } = parts;
  const fqdn = config.fqdn ?? (await runtime.fqdn());
  const shown = config.proxyUrls.map((url) => displayProxyUrl(url)).join(",");
  const labels = [...config.labels].map(([name, value]) => `${name}=${value}`).join(",");
  logger.info("Starting client", {
    fqdn,
    proxy_url: shown,
    version: VERSION,
    ...(labels === "" ? {} : { labels }),
  });
  await runAgent(
    {
      proxies: config.proxyUrls.map((url, i) => ({ url, metrics: parts.metrics[i] })),
      fqdn,
      // Basic auth from each URL's user info or the auth file; the HTTP client never sees the user info.
      proxyFetch: withProxyAuth(runtime.httpClient(parts.tls), parts.auth),
      targetFetch: runtime.httpClient(),
      rules: config.scrapeRules,
      clock: systemClock,
      random: Math.random,
      logger,
      retryInitialWaitMs: config.retryInitialWaitMs,
      retryMaxWaitMs: config.retryMaxWaitMs,
      maxBodyBytes: config.maxBodyBytes,
      announce: pollAnnouncement(VERSION, config.labels),
    },
    signal,
  );
  return 0;
}

/** The `--proxy.auth.file` credentials; a string is a one-line message (never the file's text). */
async function readAuthFile(runtime: Runtime, path: string | null): Promise<BasicAuth | null | string> {
  if (path === null) return null;
  try {
    return parseAuthFile(await runtime.readTextFile(path));
  } catch (error) {
    return `cannot use --proxy.auth.file ${JSON.stringify(path)}: ${(error as Error).message}`;
  }
}

/** Reads the PEM files the flags name; returns a one-line message naming flag and path on failure. */
async function readTls(runtime: Runtime, files: ClientConfig["tls"]): Promise<TlsClientOptions | string> {
  const wanted = [
    ["ca", "tls.cacert", files.caFile],
    ["cert", "tls.cert", files.certFile],
    ["key", "tls.key", files.keyFile],
  ] as const;
  const tls: { ca?: string; cert?: string; key?: string } = {};
  for (const [key, flag, path] of wanted) {
    if (path === null) continue;
    try {
      tls[key] = await runtime.readTextFile(path);
    } catch (error) {
      return `cannot read --${flag} file ${JSON.stringify(path)}: ${(error as Error).message}`;
    }
  }
  return tls;
}
