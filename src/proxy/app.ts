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
import { handleScrape } from "./scrape_handler.ts";
import type { Clock } from "../time/clock.ts";

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
}

/** Builds the handler the runtime adapter serves. */
export function createProxyApp(options: ProxyAppOptions): (request: Request, info: ConnInfo) => Promise<Response> {
  const { coordinator, metrics, logger, timers } = options;
  const app = new Hono<{ Bindings: ConnInfo }>();

  app.use(async (c, next) => {
    if (c.env.absoluteForm) return await proxiedScrape(c.req.raw);
    const started = timers.now();
    await next();
    const path = c.req.path;
    metrics.httpRequests.inc({ code: String(c.res.status), path });
    metrics.httpDuration.observe((timers.now() - started) / 1000, { path });
    return undefined;
  });

  app.post("/poll", (c) =>
    handlePoll(c.req.raw, coordinator, { idleTimeoutMs: options.pollIdleTimeoutMs, timers }));
  app.post("/push", (c) =>
    handlePush(c.req.raw, coordinator, { maxHeaderBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes, timers }));
  app.get("/clients", () => {
    const body = coordinator.knownClients().map((fqdn) => ({ targets: [fqdn], labels: null }));
    return new Response(`${JSON.stringify(body)}\n`, { headers: { "content-type": "application/json" } });
  });
  app.get("/metrics", () => new Response(options.registry.render(), { headers: { "content-type": METRICS_CONTENT_TYPE } }));

  app.notFound((c) => new HttpError(404, `no such endpoint: ${c.req.method} ${c.req.path}`).toResponse());
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      if (error.status >= 500) logger.warn("Request failed", { path: c.req.path, err: error });
      else logger.debug("Request refused", { path: c.req.path, err: error });
      return error.toResponse();
    }
    logger.error("Unexpected error", { path: c.req.path, err: error });
    return new HttpError(500, `internal error: ${error.message}`).toResponse();
  });

  async function proxiedScrape(request: Request): Promise<Response> {
    let response: Response;
    try {
      response = await handleScrape(request, coordinator, {
        defaultMs: options.scrapeDefaultTimeoutMs,
        maxMs: options.scrapeMaxTimeoutMs,
      });
    } catch (error) {
      const failure = error instanceof HttpError ? error : new HttpError(500, `internal error: ${String(error)}`);
      if (failure.status !== 499) logger.warn("Scrape failed", { url: request.url, err: failure });
      response = failure.toResponse();
    }
    metrics.proxiedRequests.inc({ code: String(response.status) });
    return response;
  }

  return (request, info) => Promise.resolve(app.fetch(request, info));
}
