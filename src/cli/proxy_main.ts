/**
 * `proxy`: parses flags, wires the coordinator, metrics and HTTP app together, serves until SIGINT/SIGTERM.
 * Returns the process exit code; only the entry point exits.
 *
 * A stop is graceful: from the signal on, `/-/ready` answers 503, no new poll or scrape is taken, waiting
 * polls are answered so their clients poll again (elsewhere, behind a load balancer), and scrapes already
 * taken by a client may finish for up to `--shutdown.timeout` before whatever is left fails.
 */
import type { Runtime } from "../runtime/types.ts";
import { createLogger } from "../log/logger.ts";
import { Registry } from "../metrics/registry.ts";
import { Coordinator } from "../proxy/coordinator.ts";
import { createProxyApp } from "../proxy/app.ts";
import { registerProxyMetrics } from "../proxy/metrics.ts";
import { systemClock } from "../time/clock.ts";
import { VERSION } from "../version.ts";
import { describeBuild } from "../build_info.ts";
import { parseProxyFlags } from "./proxy_flags.ts";
import { UsageError } from "./args.ts";
import { listenFailure } from "./listen_error.ts";
import { proxyName, proxySettings } from "./proxy_settings.ts";
import type { ProxyAbout } from "../proxy/status/report.ts";
import { joinCluster } from "./cluster_main.ts";
import { taggedIds } from "../cluster/scrape_id.ts";
import { loadWebSetup, type WebSetup } from "./proxy_web_config.ts";
import { gateProxyApp } from "../proxy/access_gate.ts";
import { watchServerTls } from "../proxy/web_config/tls_files.ts";

/** How long a client whose poll connection dropped has to come back before its scrapes fail. */
const DISCONNECT_GRACE_MS = 1000;
const MAX_HEADER_BYTES = 64 * 1024;
/** At shutdown, how long answers already handed to the server get to be written before it closes. */
const FLUSH_MS = 250;

export async function proxyMain(runtime: Runtime): Promise<number> {
  let command;
  try {
    command = parseProxyFlags(runtime.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    runtime.writeStderr(`proxy: ${error.message}\n`);
    return 2;
  }
  if (command.kind === "help") {
    runtime.writeStdout(command.text);
    return 0;
  }
  if (command.kind === "version") {
    runtime.writeStdout(`proxy ${VERSION} (${describeBuild(runtime.name, runtime.version)})\n`);
    return 0;
  }
  const config = command.config;
  let web: WebSetup | null = null;
  if (config.webConfigFile !== null) {
    const loaded = await loadWebSetup(runtime, config.webConfigFile);
    if (typeof loaded === "string") {
      runtime.writeStderr(`proxy: ${loaded}\n`);
      return 1;
    }
    web = loaded;
  }
  const logger = createLogger({ ...config.log, write: (line) => runtime.writeStderr(`${line}\n`) });
  const coordinator = new Coordinator({
    timers: systemClock,
    // In a cluster, ids name the proxy that issued them, so a push reaching another proxy finds its way back.
    newId: config.cluster === null
      ? () => crypto.randomUUID()
      : taggedIds(config.cluster.advertiseUrl, () => crypto.randomUUID()),
    registrationTimeoutMs: config.registrationTimeoutMs,
    disconnectGraceMs: DISCONNECT_GRACE_MS,
    maxClients: config.maxClients,
  });
  const about: ProxyAbout = {
    version: VERSION,
    runtime: describeBuild(runtime.name, runtime.version),
    startedAt: Date.now(),
    name: proxyName(config.listen, "localhost"),
    settings: proxySettings(config),
  };
  const registry = new Registry();
  const metrics = registerProxyMetrics(registry, coordinator);
  const cluster = config.cluster === null
    ? null
    : await joinCluster(config.cluster, { runtime, about, coordinator, registry, logger });
  const app = createProxyApp({
    coordinator,
    registry,
    metrics,
    logger,
    timers: systemClock,
    scrapeDefaultTimeoutMs: config.scrapeDefaultTimeoutMs,
    scrapeMaxTimeoutMs: config.scrapeMaxTimeoutMs,
    pollIdleTimeoutMs: config.pollIdleTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    maxHeaderBytes: MAX_HEADER_BYTES,
    about,
    ...(cluster === null
      ? {}
      : { scrapeFallback: cluster, pushFallback: cluster, listClients: (local) => cluster.clients(local) }),
    consumeProxyAuthorization: web?.access != null,
  });
  // Without a web config file the app is served as it is: answers stay exactly upstream's.
  const handler = web === null
    ? app
    : gateProxyApp(app, { access: web.access, headers: web.config.headers, logger, metrics });

  let server;
  try {
    server = await runtime.serve({
      ...config.listen,
      handler,
      maxHeaderBytes: MAX_HEADER_BYTES,
      onConnectionLimit: (full, limit) => {
        if (full) {
          logger.warn(
            "Connection limit reached: no new connections until some close (raise ulimit -n)",
            { limit },
          );
        } else logger.info("Accepting connections again", { limit });
      },
      tls: web?.tls,
    });
  } catch (error) {
    const where = `${config.listen.hostname}:${config.listen.port}`;
    logger.error(listenFailure(error, where, "web.listen-address"));
    coordinator.close();
    await cluster?.leave();
    return 1;
  }
  logger.info("Listening", {
    address: `${server.hostname}:${server.port}`,
    version: VERSION,
    tls: web?.tls !== undefined ? true : undefined,
    auth: web?.access ? true : undefined,
  });
  // After listening: the FQDN may take a DNS round trip, and nothing else waits for it.
  const listening = { hostname: config.listen.hostname, port: server.port };
  about.name = proxyName(listening, "localhost");
  void runtime.fqdn().then((fqdn) => (about.name = proxyName(listening, fqdn)), () => {});
  const stopWatching = web?.config.tls && web.tls
    ? watchServerTls({
      settings: web.config.tls,
      read: (path) => runtime.readTextFile(path),
      timers: systemClock,
      current: web.tls,
      apply: (tls) =>
        server.updateTls?.(tls) ?? Promise.reject(new TypeError("this server cannot reload TLS")),
      onChanged: () => logger.info("Loaded new TLS certificate", { file: web.config.tls!.certFile }),
      onFailed: (error) => logger.warn("Keeping the current TLS certificate", { err: error }),
    })
    : () => {};

  const stopped = new Promise<string>((resolve) => runtime.onShutdownSignal(resolve));
  const signal = await stopped;
  logger.info("Shutting down", { signal, timeout: `${config.shutdownTimeoutMs / 1000}s` });
  stopWatching();
  const busy = coordinator.activity().pendingScrapes > 0;
  const drained = await settledWithin(coordinator.drain(), config.shutdownTimeoutMs);
  if (!drained) logger.warn("Scrapes still in progress at the shutdown timeout fail now");
  coordinator.close();
  // The last scrapes' answers (and the answers to their pushes) are handed to the server as they settle,
  // and written a moment later; closing the server ends every connection at once, so give them that moment.
  if (busy) await settledWithin(new Promise<void>(() => {}), FLUSH_MS);
  await cluster?.leave();
  await server.close();
  return 0;
}

/** Whether `promise` settled within `ms`; the timer never outlives the wait. */
async function settledWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: unknown;
  const timedOut = new Promise<false>((
    resolve,
  ) => (timer = systemClock.setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    systemClock.clearTimeout(timer);
  }
}
