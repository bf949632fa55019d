/**
 * The proxy's HTTP surface. Absolute-form requests (`GET http://host:port/path`, what Prometheus sends through
 * `proxy_url`) are scrapes to forward, whatever their path; only origin-form requests reach the proxy's own
 * endpoints. That split is decided by the request line (ConnInfo.absoluteForm), never by Host or path, so a
 * scrape of `http://<any-host>:<port>/metrics` can never be answered with the proxy's own metrics.
 */
import { Hono } from "hono";
import type { ConnInfo } from "../runtime/types.ts";
import type { Logger } from "../log/logger.ts";
import { METRICS_CONTENT_TYPE, type Registry } from "../metrics/registry.ts";
import type { Coordinator } from "./coordinator.ts";
import { HttpError } from "./http_error.ts";
import type { ProxyMetrics } from "./metrics.ts";
import { handlePoll } from "./poll_handler.ts";
import { handlePush } from "./push_handler.ts";
import type { PushFallback } from "./push_route.ts";
import { handleScrape, type ScrapeFallback } from "./scrape_handler.ts";
import { type ScrapeOutcome, scrapeOutcome } from "./scrape_outcome.ts";
import { healthy, ready } from "./health.ts";
import type { Clock } from "../time/clock.ts";
import { VERSION } from "../version.ts";
import { discoveryTargets, type TargetGroup } from "./status/discovery.ts";
import { renderStatusPage } from "./status/page.ts";
import { type ProxyAbout, statusReport } from "./status/report.ts";
import { STATUS_SCRIPT } from "./status/script.ts";
import { AccessDenied, ANYONE, type ClientPrincipal } from "./auth/access.ts";

export interface ProxyAppOptions {
  readonly coordinator: Coordinator;
  readonly registry: Registry;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  readonly timers: Clock;
  readonly scrapeDefaultTimeoutMs: number;
  readonly scrapeMaxTimeoutMs: number;
  readonly pollIdleTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxHeaderBytes: number;
  /** Who this proxy is, for the status page and `/clients` (default: version only, started now). */
  readonly about?: ProxyAbout;
  /** Wall-clock milliseconds for the status page (default `Date.now`). */
  readonly wallClock?: () => number;
  /** Where scrapes for FQDNs with no client here go (the cluster); none: they fail at once, as alone. */
  readonly scrapeFallback?: ScrapeFallback;
  /** Where pushes for scrapes another proxy issued go (the cluster). */
  readonly pushFallback?: PushFallback;
  /** What `/clients` lists given this proxy's own target groups (the whole cluster's); default: those. */
  readonly listClients?: (local: readonly TargetGroup[]) => Promise<TargetGroup[]>;
  /**
   * Scrapers authenticate to us with `Proxy-Authorization` (web config file): the header is ours and is not
   * passed on to clients. Without a web config file it travels on, as upstream's proxy does.
   */
  readonly consumeProxyAuthorization?: boolean;
}

/**
 * The proxy's handler. `principal` is the client a poll or push comes from, as the access gate
 * (access_gate.ts) established it; without a web config file everyone is {@linkcode ANYONE}.
 */
export type ProxyHandler = (
  request: Request,
  info: ConnInfo,
  principal?: ClientPrincipal,
) => Promise<Response>;

/** Builds the handler the runtime adapter serves. */
export function createProxyApp(options: ProxyAppOptions): ProxyHandler {
  const { coordinator, metrics, logger, timers } = options;
  const app = new Hono<{ Bindings: { principal: ClientPrincipal } }>();

  const record = (path: string, status: number, started: number) => {
    metrics.httpRequests.inc({ code: String(status), path });
    metrics.httpDuration.observe((timers.now() - started) / 1000, { path });
  };
  const pollSettings = { idleTimeoutMs: options.pollIdleTimeoutMs, timers };

  app.use(async (c, next) => {
    const started = timers.now();
    await next();
    record(c.req.path, c.res.status, started);
    return undefined;
  });

  app.post("/poll", (c) => handlePoll(c.req.raw, coordinator, pollSettings, c.env.principal));
  app.post(
    "/push",
    (c) =>
      handlePush(
        c.req.raw,
        coordinator,
        {
          maxHeaderBytes: options.maxHeaderBytes,
          maxBodyBytes: options.maxBodyBytes,
          timers,
        },
        options.pushFallback,
        c.env.principal,
      ),
  );
  const wallClock = options.wallClock ?? Date.now;
  const about: ProxyAbout = options.about ??
    { version: VERSION, runtime: "", startedAt: wallClock(), name: "", settings: [] };
  app.get("/clients", async () => {
    const local = discoveryTargets(coordinator.clients(), about.name);
    const body = options.listClients === undefined ? local : await options.listClients(local);
    return new Response(`${JSON.stringify(body)}\n`, { headers: { "content-type": "application/json" } });
  });
  const report = () => statusReport(about, coordinator.clients(), wallClock());
  app.get("/", (c) =>
    new Response(renderStatusPage(report(), c.req.query("q") ?? ""), {
      headers: { "content-type": "text/html; charset=utf-8", ...PAGE_HEADERS },
    }));
  app.get("/status.json", () =>
    new Response(`${JSON.stringify(report())}\n`, {
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    }));
  app.get("/status.js", () =>
    new Response(STATUS_SCRIPT, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
    }));
  app.get("/-/healthy", () => healthy());
  app.get("/-/ready", () => ready(coordinator.draining));
  app.get(
    "/metrics",
    () => new Response(options.registry.render(), { headers: { "content-type": METRICS_CONTENT_TYPE } }),
  );

  app.notFound((c) => new HttpError(404, `no such endpoint: ${c.req.method} ${c.req.path}`).toResponse());
  const failed = (error: unknown, path: string): Response => {
    if (error instanceof AccessDenied) {
      logger.warn("Access denied", {
        path,
        status: error.status,
        principal: error.principal,
        reason: error.message,
      });
      return error.toResponse();
    }
    if (error instanceof HttpError) {
      // A refused registration (503) is counted, not logged: a flood of new FQDNs must not flood the log too.
      if (error.status >= 500 && error.status !== 503) logger.warn("Request failed", { path, err: error });
      else logger.debug("Request refused", { path, err: error });
      return error.toResponse();
    }
    const unexpected = error instanceof Error ? error : new Error(String(error));
    logger.error("Unexpected error", { path, err: unexpected });
    return new HttpError(500, `internal error: ${unexpected.message}`).toResponse();
  };
  app.onError((error, c) => failed(error, c.req.path));

  // Polls skip Hono: a held poll is most of what an idle fleet costs, and Hono's context and middleware
  // frames would stay alive with every one of them (~2 KB each, measured on Bun). Same answers, errors and
  // metrics as the Hono route, which still serves encoded variants of the path.
  const poll = (request: Request, principal: ClientPrincipal): Promise<Response> => {
    const started = timers.now();
    let answer: Promise<Response>;
    try {
      answer = handlePoll(request, coordinator, pollSettings, principal);
    } catch (error) {
      answer = Promise.reject(error);
    }
    return timedPoll(answer, started);
  };
  // Takes the answer, not the Request: a suspended async function keeps its arguments alive.
  async function timedPoll(answer: Promise<Response>, started: number): Promise<Response> {
    let response: Response;
    try {
      response = await answer;
    } catch (error) {
      response = failed(error, POLL_PATH);
    }
    record(POLL_PATH, response.status, started);
    return response;
  }

  async function proxiedScrape(request: Request): Promise<Response> {
    const started = timers.now();
    const ended = (outcome: ScrapeOutcome) => {
      metrics.scrapes.inc({ outcome });
      metrics.scrapeDuration.observe((timers.now() - started) / 1000, { outcome });
    };
    let response: Response;
    try {
      const answer = await handleScrape(request, coordinator, {
        defaultMs: options.scrapeDefaultTimeoutMs,
        maxMs: options.scrapeMaxTimeoutMs,
        dropProxyAuthorization: options.consumeProxyAuthorization ?? false,
      }, options.scrapeFallback);
      response = answer.response;
      const status = response.status;
      // A streamed body is still on its way: the scrape ends when its relay does.
      if (answer.relayed === null) ended(scrapeOutcome(status));
      else answer.relayed.then((failure) => ended(scrapeOutcome(failure ?? status)));
    } catch (error) {
      const failure = error instanceof HttpError
        ? error
        : new HttpError(500, `internal error: ${String(error)}`, { reason: "internal error" });
      if (failure.status !== 499) logger.warn("Scrape failed", { url: request.url, err: failure });
      ended(error instanceof HttpError ? scrapeOutcome(error) : "internal");
      response = failure.toResponse();
    }
    metrics.proxiedRequests.inc({ code: String(response.status) });
    return response;
  }

  return (request, info, principal = ANYONE) => {
    // Scrapes are not endpoints: whatever their path, they go to the scrape handler without routing.
    if (info.absoluteForm) return proxiedScrape(request);
    if (request.method === "POST" && isPollUrl(request.url)) return poll(request, principal);
    return Promise.resolve(app.fetch(request, { principal }));
  };
}

const POLL_PATH = "/poll";

/**
 * The status page shows what clients sent: besides escaping it, allow no inline script and nothing from
 * elsewhere, so markup that slipped through could not run.
 */
const PAGE_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; " +
    "connect-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

/**
 * True when the URL's path is exactly `/poll` (any query). Anything else, including encoded variants Hono
 * would decode, takes the Hono route, which answers it the same way.
 */
function isPollUrl(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1 || !url.startsWith(POLL_PATH, start)) return false;
  const end = start + POLL_PATH.length;
  return end === url.length || url.charCodeAt(end) === 0x3f; // "?"
}
