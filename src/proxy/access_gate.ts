/**
 * The web config's effect on the proxy's HTTP surface, wrapped around the app (app.ts): every request is
 * checked for its role before it reaches a handler (see auth/access.ts), refusals are logged with the
 * principal and reason, and `http_server_config.headers` go onto every response. Without a web config file
 * none of this is installed and the proxy answers exactly as before.
 * @module
 */
import type { ConnInfo } from "../runtime/types.ts";
import type { Logger } from "../log/logger.ts";
import type { ProxyHandler } from "./app.ts";
import { type AccessControl, AccessDenied, type ClientPrincipal } from "./auth/access.ts";
import type { ProxyMetrics } from "./metrics.ts";

export interface AccessGateOptions {
  /** Null: no access control (a web config with TLS or headers only). */
  readonly access: AccessControl | null;
  readonly headers: readonly (readonly [string, string])[];
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
}

/** The app behind the checks. */
export function gateProxyApp(
  app: ProxyHandler,
  options: AccessGateOptions,
): (request: Request, info: ConnInfo) => Promise<Response> {
  const { access, headers, logger, metrics } = options;
  const decorate = headers.length === 0 ? (response: Response) => response : (response: Response) => {
    for (const [name, value] of headers) response.headers.set(name, value);
    return response;
  };
  const refuse = (denied: AccessDenied, request: Request, info: ConnInfo): Response => {
    logger.warn("Access denied", {
      status: denied.status,
      reason: denied.message,
      principal: denied.principal || undefined,
      [info.absoluteForm ? "url" : "path"]: info.absoluteForm ? request.url : new URL(request.url).pathname,
      remote: info.remoteAddress,
    });
    if (info.absoluteForm) metrics.proxiedRequests.inc({ code: String(denied.status) });
    return denied.toResponse();
  };
  const after = <T>(
    checked: T | AccessDenied | Promise<T | AccessDenied>,
    request: Request,
    info: ConnInfo,
    next: (value: T) => Promise<Response>,
  ): Promise<Response> => {
    if (checked instanceof Promise) return checked.then((value) => after(value, request, info, next));
    if (checked instanceof AccessDenied) {
      // Nobody reads the body of a refused request; cancel it so the connection is not left waiting.
      request.body?.cancel().catch(() => {});
      return Promise.resolve(refuse(checked, request, info));
    }
    return next(checked as T);
  };
  const answer = (request: Request, info: ConnInfo): Promise<Response> => {
    if (access === null) return app(request, info);
    if (info.absoluteForm) {
      return after(access.scraper(request, info), request, info, () => app(request, info, NOBODY));
    }
    if (isClientPath(request.url)) {
      return after(
        access.client(request, info),
        request,
        info,
        (principal: ClientPrincipal) => app(request, info, principal),
      );
    }
    // NOBODY, in case the router ever reaches a client endpoint by a spelling isClientPath missed.
    return after(access.reader(request, info), request, info, () => app(request, info, NOBODY));
  };
  return (request, info) => answer(request, info).then(decorate);
}

/** The principal of a request that passed a scraper's or reader's check: it may not register or push. */
const NOBODY: ClientPrincipal = { id: "\0nobody", label: "a non-client", mayRegister: () => false };

/**
 * `/poll` and `/push`, also percent-encoded (the router decodes paths): every spelling the app would route
 * to a client endpoint must get the client check, or a scraper could poll through `/p%6Fll`.
 */
function isClientPath(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return false;
  const query = url.indexOf("?", start);
  let path = url.slice(start, query === -1 ? undefined : query);
  if (path.includes("%")) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return false;
    }
  }
  return path === "/poll" || path === "/push";
}
