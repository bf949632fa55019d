/**
 * The client's metrics. Upstream's three counters keep their names so existing dashboards and alerts keep
 * working; next to them, scrapes taken, errors by kind, and when a poll last got an answer (a client that
 * cannot reach its proxy shows as a growing age). A client polling several proxies counts per proxy, with
 * a `proxy` label.
 */
import type { Labels, Registry } from "../metrics/registry.ts";

/** What went wrong: a poll, a push, or why a scrape could not be done. */
export const CLIENT_ERROR_KINDS = [
  "poll",
  "push",
  /** The target could not be connected to (refused, no such host, no route). */
  "unreachable",
  /** The target did not answer within the scrape's budget. */
  "timeout",
  /** The target's response exceeded `--scrape.max-body-size`. */
  "too_large",
  /** The target connection broke or answered something unreadable. */
  "target_failed",
  /** A scrape rule (`--allow-port`, `--allow-method`) refused the scrape. */
  "refused",
  /** The scrape was for another host than this client's FQDN. */
  "wrong_host",
  /** The scrape request itself was unusable. */
  "bad_request",
] as const;

export type ClientErrorKind = typeof CLIENT_ERROR_KINDS[number];

/** What a poll loop reports. */
export interface ClientMetrics {
  /** A poll brought a scrape to do. */
  scrapeTaken(): void;
  /** A poll got an answer from the proxy (a scrape, or an idle answer). */
  polled(): void;
  /** Something failed; it counts under upstream's counter for its stage too. */
  failed(kind: ClientErrorKind): void;
}

/**
 * Registers the client's metrics on `registry` for a client with one proxy; `now` gives wall-clock
 * milliseconds for the last poll time.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const metrics = createClientMetrics(registry);
 * metrics.failed("unreachable"); // pushprox_client_scrape_errors_total and ..._errors_total{kind="unreachable"}
 * ```
 */
export function createClientMetrics(registry: Registry, now: () => number = Date.now): ClientMetrics {
  return createClientMetricsPerProxy(registry, ["(the one proxy)"], now)[0]!;
}

/**
 * Registers the client's metrics for each proxy the client polls and returns them in the order given.
 * With several proxies every series carries a `proxy` label (the URL as logs show it, without user info),
 * each present from the start. With one proxy there is no label: the page reads as it did before several
 * proxies were possible, and upstream's counters as upstream's do, so dashboards and alerts keep working.
 *
 * @example
 * ```ts
 * const [a, b] = createClientMetricsPerProxy(registry, ["http://proxy-a:8080/", "http://proxy-b:8080/"]);
 * a.failed("poll"); // pushprox_client_poll_errors_total{proxy="http://proxy-a:8080/"} 1
 * ```
 */
export function createClientMetricsPerProxy(
  registry: Registry,
  proxies: readonly string[],
  now: () => number = Date.now,
): ClientMetrics[] {
  const perProxy = proxies.length > 1 ? ["proxy"] : [];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    registry.counter({ name, help, labelNames: [...labelNames, ...perProxy] });
  const pollErrors = counter("pushprox_client_poll_errors_total", "Number of poll errors");
  const scrapeErrors = counter("pushprox_client_scrape_errors_total", "Number of scrape errors");
  const pushErrors = counter("pushprox_client_push_errors_total", "Number of push errors");
  const scrapes = counter("pushprox_client_scrapes_total", "Scrapes the proxy asked this client for.");
  const errors = counter(
    "pushprox_client_errors_total",
    "Failed polls, pushes and scrapes, by kind.",
    ["kind"],
  );
  const lastPoll = registry.gauge({
    name: "pushprox_client_last_poll_success_timestamp_seconds",
    help: "When a poll last got an answer from the proxy, in seconds since the epoch; 0 before the first.",
    labelNames: perProxy,
  });
  return proxies.map((proxy) => {
    const labels: Labels | undefined = perProxy.length > 0 ? { proxy } : undefined;
    // Every series from the start, so that rate() and ratios work before the first failure.
    for (const each of [pollErrors, scrapeErrors, pushErrors, scrapes]) each.inc(labels, 0);
    for (const kind of CLIENT_ERROR_KINDS) errors.inc({ ...labels, kind }, 0);
    lastPoll.set(0, labels);
    return {
      scrapeTaken: () => scrapes.inc(labels),
      polled: () => lastPoll.set(now() / 1000, labels),
      failed: (kind) => {
        (kind === "poll" ? pollErrors : kind === "push" ? pushErrors : scrapeErrors).inc(labels);
        errors.inc({ ...labels, kind });
      },
    };
  });
}
