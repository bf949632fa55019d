/**
 * One scrape, start to finish: check the request is for us and allowed by the scrape rules, fetch the
 * target within the time Prometheus gave us, and push the target's response (or an error) back to the
 * proxy. Never throws: every failure ends as an error push, a counter and a log line.
 *
 * An error push names its cause twice: in a few words as the status line's reason phrase (`502 target
 * unreachable: no such host h1.example.com`), which is what Prometheus shows on its targets page, and in
 * full in the body. Its status says whose fault it is: 502 for a target that failed, 504 for one too slow,
 * 403 for a scrape a rule refused, 400 for a request this client must not serve (upstream pushes 500 for
 * all of them).
 */
import type { Logger } from "../log/logger.ts";
import type { RawFetch } from "../runtime/types.ts";
import type { HeaderLine, ScrapeRequest } from "../wire/types.ts";
import { serializeErrorResponse } from "../wire/mod.ts";
import type { ClientErrorKind, ClientMetrics } from "./client_metrics.ts";
import type { Clock } from "../time/clock.ts";
import { describeError, isUnreachable } from "./describe_error.ts";
import { ScrapeDeadline } from "./scrape_deadline.ts";
import { BodyTooLargeError } from "./body_limits.ts";
import { type PushDeps, pushErrorResponse, pushTargetResponse, type TargetResult } from "./push.ts";
import { readTargetBody } from "./target_body.ts";
import { connectUrl, DEFAULT_SCRAPE_RULES, refuseScrape, type ScrapeRules } from "./scrape_rules.ts";
import { headerContentLength } from "../wire/framing.ts";
import {
  formatRemainingSeconds,
  forwardedHeaderLines,
  hostMatchesFqdn,
  scrapeBudgetMs,
  scrapeTimeoutMs,
  targetUrl,
} from "./target_request.ts";

/** What one scrape needs; shared by all scrapes of an agent. */
export interface ScrapeDeps extends PushDeps {
  /** This client's FQDN: scrape requests for any other host are refused. */
  readonly fqdn: string;
  /** Talks to the local targets. */
  readonly targetFetch: RawFetch;
  /** `--allow-port`, `--allow-method`, `--use-localhost`; DEFAULT_SCRAPE_RULES when absent. */
  readonly rules?: ScrapeRules;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ClientMetrics;
}

/** A scrape that ended without a target response to pass on. */
interface ScrapeFailure {
  readonly status: number;
  readonly kind: ClientErrorKind;
  /** A few words for the status line: the cause, or the rule that refused the scrape. */
  readonly reason: string;
  /** The whole story, for the body and the log. */
  readonly message: string;
}

/**
 * Runs one scrape and pushes its result; resolves when the push is done or has failed. `abort` ends
 * everything in flight at once (the poll loop lets scrapes finish at a stop, so it never aborts).
 *
 * @example
 * ```ts
 * void scrapeAndPush(deps, parseScrapeRequest(pollBody), shutdown.signal);
 * ```
 */
export async function scrapeAndPush(
  deps: ScrapeDeps,
  request: ScrapeRequest,
  abort: AbortSignal,
): Promise<void> {
  const { clock } = deps;
  const started = clock.now();
  const timeoutMs = scrapeTimeoutMs(request.headers);
  // Built only when a line is written: at the default level a scrape that goes well logs nothing.
  let logger: Logger | null = null;
  const log = () => logger ??= deps.logger.child({ scrape_id: request.id, url: request.url });
  const extraHeaders = (): HeaderLine[] => [
    ["Id", request.id],
    ["X-Prometheus-Scrape-Timeout", formatRemainingSeconds(timeoutMs - (clock.now() - started))],
  ];
  const budgetMs = scrapeBudgetMs(timeoutMs);
  const deadline = new ScrapeDeadline(clock, { timeoutMs, budgetMs }, abort);
  try {
    const outcome = await fetchTarget(deps, request, { timeoutMs, budgetMs }, deadline);
    // The budget bounds the target's head and a small body; a large body streams on under the timeout.
    deadline.targetDone();
    if (abort.aborted) {
      log().debug("Scrape abandoned");
      return;
    }
    if ("message" in outcome) {
      deps.metrics.failed(outcome.kind);
      log().warn(outcome.kind === "refused" ? "Scrape refused" : "Scrape failed", { err: outcome.message });
      const body = serializeErrorResponse(outcome.status, outcome.message, extraHeaders(), outcome.reason);
      await pushErrorResponse(deps, body, deadline.signal);
      return;
    }
    await pushTargetResponse(deps, outcome, extraHeaders(), deadline.signal);
    deps.logger.debug("Pushed scrape result", {
      scrape_id: request.id,
      url: request.url,
      status: outcome.response.status,
      ms: Math.round(clock.now() - started),
    });
  } catch (error) {
    if (abort.aborted) return;
    if (error instanceof BodyTooLargeError) {
      // The head (and part of the body) already went out: all we can do is cut the push short.
      deps.metrics.failed("too_large");
      log().warn("Scrape cut: body exceeds --scrape.max-body-size", { err: error.message });
    } else {
      deps.metrics.failed("push");
      log().error("Push failed", { err: describeError(error) });
    }
    // Whatever still reads from the target or writes to the proxy must stop now.
    deadline.abort(error);
  } finally {
    deadline.cancel();
  }
}

/**
 * Answers a scrape that arrived while the client is stopping with a 503 at once, rather than starting it.
 * Never throws.
 */
export async function refuseAtShutdown(deps: ScrapeDeps, request: ScrapeRequest): Promise<void> {
  const message = `the PushProx client for "${deps.fqdn}" is shutting down (scrape of ${request.url})`;
  const body = serializeErrorResponse(503, message, [["Id", request.id]], "client shutting down");
  const deadline = new AbortController();
  const timer = deps.clock.setTimeout(() => deadline.abort(), REFUSAL_PUSH_MS);
  try {
    await pushErrorResponse(deps, body, deadline.signal);
  } catch (error) {
    deps.metrics.failed("push");
    deps.logger.warn("Push failed", { scrape_id: request.id, err: describeError(error) });
  } finally {
    deps.clock.clearTimeout(timer);
  }
}

/** A refusal is a few hundred bytes: if the proxy cannot take it within this, it is not waiting for it. */
const REFUSAL_PUSH_MS = 5000;

async function fetchTarget(
  deps: ScrapeDeps,
  request: ScrapeRequest,
  limits: { timeoutMs: number; budgetMs: number },
  deadline: ScrapeDeadline,
): Promise<TargetResult | ScrapeFailure> {
  let scrapeUrl: URL;
  try {
    scrapeUrl = new URL(request.url);
  } catch {
    return {
      status: 400,
      kind: "bad_request",
      reason: "scrape URL is not absolute",
      message: `cannot scrape "${request.url}": not an absolute URL`,
    };
  }
  if (!hostMatchesFqdn(scrapeUrl, deps.fqdn)) {
    // 400, not upstream's 500: the request is wrong (sent to the wrong client), not the target.
    return {
      status: 400,
      kind: "wrong_host",
      reason: `wrong client: ${scrapeUrl.hostname} is not ${deps.fqdn}`,
      message:
        `refusing to scrape ${request.url}: host "${scrapeUrl.hostname}" is not this client's fqdn "${deps.fqdn}"`,
    };
  }
  const rules = deps.rules ?? DEFAULT_SCRAPE_RULES;
  const wanted = targetUrl(scrapeUrl);
  const refusal = refuseScrape(rules, request.method, wanted);
  if (refusal !== null) {
    return { status: 403, kind: "refused", reason: refusal.reason, message: refusal.message };
  }
  // With --use-localhost the connection goes to 127.0.0.1 but Host stays the name Prometheus scraped: the
  // target sees the request it would have seen had we resolved our FQDN (name-based virtual hosts in front
  // of an exporter keep working), and only the address changes.
  const url = connectUrl(rules, wanted);
  try {
    const headers = [...forwardedHeaderLines(request.headers), ["Host", wanted.host]] as [string, string][];
    // Our HTTP client ends an exchange as soon as its signal aborts, whatever stage it is in (the RawFetch
    // contract), so the budget needs no guard of its own here.
    const response = await deps.targetFetch(url, {
      method: request.method,
      headers,
      signal: deadline.signal,
    });
    const declared = declaredTooLarge(response, url, deps.maxBodyBytes);
    if (declared !== null) {
      await response.body?.cancel().catch(() => {});
      return declared;
    }
    // Read under the budget too: a small body that never ends is a slow target, answered in time.
    const body = await readTargetBody(response, url);
    if (body instanceof Uint8Array && deps.maxBodyBytes > 0 && body.byteLength > deps.maxBodyBytes) {
      return tooLarge(url, body.byteLength, deps.maxBodyBytes);
    }
    return { url, response, body };
  } catch (error) {
    if (deadline.budgetPassed) {
      const after = (limits.budgetMs / 1000).toFixed(2);
      return {
        status: 504,
        kind: "timeout",
        reason: `target timed out after ${after}s`,
        message: `scrape of ${url.href} timed out after ${after}s (scrape timeout ${
          limits.timeoutMs / 1000
        }s)`,
      };
    }
    return targetFailed(url, describeError(error));
  }
}

/** A target that could not be reached, or broke off: 502, named so an operator knows where to look. */
function targetFailed(url: URL, description: string): ScrapeFailure {
  const message = `failed to scrape ${url.href}: ${description}`;
  if (!isUnreachable(description)) {
    return { status: 502, kind: "target_failed", reason: `target failed: ${description}`, message };
  }
  // A lookup failed for the name, anything else at the address.
  const where = description === "no such host" ? ` ${url.hostname}` : ` (${url.host})`;
  return { status: 502, kind: "unreachable", reason: `target unreachable: ${description}${where}`, message };
}

function declaredTooLarge(response: Response, url: URL, maxBodyBytes: number): ScrapeFailure | null {
  if (maxBodyBytes <= 0) return null;
  const declared = headerContentLength(response.headers);
  return declared !== null && declared > maxBodyBytes ? tooLarge(url, declared, maxBodyBytes) : null;
}

function tooLarge(url: URL, bytes: number, maxBodyBytes: number): ScrapeFailure {
  return {
    status: 502,
    kind: "too_large",
    reason: `target response too large: ${bytes} bytes, limit ${maxBodyBytes}`,
    message:
      `failed to scrape ${url.href}: response of ${bytes} bytes exceeds --scrape.max-body-size (${maxBodyBytes} bytes)`,
  };
}
