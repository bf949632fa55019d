/**
 * The client's own metrics page on `--metrics-addr`: `GET /metrics` and nothing else.
 */
import type { Handler } from "../runtime/types.ts";

/** The slice of the metrics registry this page needs. */
export interface RenderableRegistry {
  render(): string;
}

/**
 * A request handler serving `registry.render()` at `/metrics` (GET or HEAD); every other path or method
 * gets 404, so a stray scrape of the wrong port is obvious rather than silently answered.
 *
 * @example
 * ```ts
 * const server = await runtime.serve({ hostname: "", port: 9369, handler: metricsHandler(registry, METRICS_CONTENT_TYPE) });
 * ```
 */
export function metricsHandler(registry: RenderableRegistry, contentType: string): Handler {
  return (request) => {
    const { pathname } = new URL(request.url);
    if (pathname !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
      return new Response("404 page not found\n", {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
    const body = request.method === "HEAD" ? null : registry.render();
    return new Response(body, { status: 200, headers: { "Content-Type": contentType } });
  };
}
