/**
 * Fake proxy and target for the client's tests: RawFetch functions that follow a script and record what
 * the client sent. Not a test file itself; test files import it.
 */
import type { RawFetch } from "../runtime/types.ts";
import type { ClientErrorKind, ClientMetrics } from "./client_metrics.ts";
import type { ScrapeDeps } from "./scrape.ts";
import type { FakeClock } from "../time/fake_clock.ts";
import { silentLogger } from "../log/logger.ts";

/** One push the fake proxy received, body read in full. */
export interface RecordedPush {
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  /** The fake clock's time when the push arrived (headers), if a clock was given. */
  readonly at: number;
}

/** What a scripted poll does: answer, or throw a network error. */
export type PollStep = (request: Request) => Response | Promise<Response>;

/** A fake proxy: `/poll` follows the script then hangs until aborted, `/push` records and answers. */
export interface FakeProxy {
  readonly fetch: RawFetch;
  /** Bodies (FQDNs) and headers of every poll, in order. */
  readonly polls: { readonly body: string; readonly headers: Headers }[];
  readonly pushes: RecordedPush[];
  /** Resolves with the n-th push (0-based) once it has fully arrived. */
  push(index: number): Promise<RecordedPush>;
}

/**
 * Creates a fake proxy.
 *
 * @example
 * ```ts
 * const proxy = fakeProxy([() => new Response(pollBody)]);
 * ```
 */
export function fakeProxy(
  script: PollStep[],
  options: { pushStatus?: number; now?: () => number } = {},
): FakeProxy {
  const steps = [...script];
  const polls: { body: string; headers: Headers }[] = [];
  const pushes: RecordedPush[] = [];
  const waiters: (() => void)[] = [];
  const fetch: RawFetch = async (input, init) => {
    const request = asRequest(input, init);
    const path = new URL(request.url).pathname;
    if (path === "/poll") {
      polls.push({ body: await request.text(), headers: request.headers });
      const step = steps.shift();
      return step === undefined ? await hangUntilAborted(request.signal) : await step(request);
    }
    if (path === "/push") {
      const at = options.now?.() ?? 0;
      const body = new Uint8Array(await request.arrayBuffer());
      pushes.push({ headers: request.headers, body, at });
      for (const wake of waiters.splice(0)) wake();
      return new Response(null, { status: options.pushStatus ?? 200 });
    }
    return new Response("404 page not found\n", { status: 404 });
  };
  const push = async (index: number): Promise<RecordedPush> => {
    while (pushes.length <= index) await new Promise<void>((resolve) => waiters.push(resolve));
    return pushes[index];
  };
  return { fetch, polls, pushes, push };
}

/** A fake target: answers with `respond` and records every request it got. */
export interface FakeTarget {
  readonly fetch: RawFetch;
  readonly requests: Request[];
}

/**
 * Creates a fake target.
 *
 * @example
 * ```ts
 * const target = fakeTarget(() => new Response("up 1\n"));
 * ```
 */
export function fakeTarget(respond: (request: Request) => Response | Promise<Response>): FakeTarget {
  const requests: Request[] = [];
  return {
    requests,
    fetch: async (input, init) => {
      const request = asRequest(input, init);
      requests.push(request);
      return await respond(request);
    },
  };
}

/** What a RawFetch was called with, as one `Request`, so fakes can look at it the same way every time. */
export function asRequest(input: Request | URL | string, init?: RequestInit): Request {
  return input instanceof Request && init === undefined ? input : new Request(input, init);
}

/** A promise that only settles (rejects with the abort reason) when `signal` aborts. */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Metrics that just count: failures by kind, and by upstream's three stages (`counts()`). */
export function countingMetrics(): ClientMetrics & {
  counts(): Record<string, number>;
  readonly kinds: Map<ClientErrorKind, number>;
  readonly taken: { n: number };
  readonly polls: { n: number };
} {
  const kinds = new Map<ClientErrorKind, number>();
  const taken = { n: 0 };
  const polls = { n: 0 };
  const stage = (kind: ClientErrorKind) => kind === "poll" || kind === "push" ? kind : "scrape";
  return {
    kinds,
    taken,
    polls,
    scrapeTaken: () => void taken.n++,
    polled: () => void polls.n++,
    failed: (kind) => void kinds.set(kind, (kinds.get(kind) ?? 0) + 1),
    counts: () => {
      const counts: Record<string, number> = { poll: 0, scrape: 0, push: 0 };
      for (const [kind, n] of kinds) counts[stage(kind)]! += n;
      return counts;
    },
  };
}

/** A serialized scrape request as upstream's proxy writes it into a poll response. */
export function pollBody(
  url: string,
  id: string,
  extra: string[] = ["X-Prometheus-Scrape-Timeout-Seconds: 5"],
): string {
  const host = new URL(url).host;
  return [
    `GET ${url} HTTP/1.1`,
    `Host: ${host}`,
    "User-Agent: Prometheus/2.42.0+ds",
    "Accept-Encoding: gzip",
    `Id: ${id}`,
    ...extra,
    "",
    "",
  ]
    .join("\r\n");
}

/** Waits (in real time, a few ms per try) until `check` holds; fails the test after ~2 s. */
export async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Log lines captured as records. */
export function recordingLogger() {
  const records: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const build = (bound: Record<string, unknown>) => {
    const at = (level: string) => (msg: string, fields?: Readonly<Record<string, unknown>>) =>
      void records.push({ level, msg, fields: { ...bound, ...fields } });
    const logger = {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      child: (fields: Readonly<Record<string, unknown>>) => build({ ...bound, ...fields }),
    };
    return logger;
  };
  return { logger: build({}), records };
}

/** What one scrape needs, for a client registered as 127.0.0.1 pushing to a proxy on :8080, with `extra`. */
export function scrapeDeps(
  proxyFetch: RawFetch,
  targetFetch: RawFetch,
  clock: FakeClock,
  extra: Partial<ScrapeDeps> = {},
): { deps: ScrapeDeps; metrics: ReturnType<typeof countingMetrics> } {
  const metrics = countingMetrics();
  const deps: ScrapeDeps = {
    fqdn: "127.0.0.1",
    pushUrl: new URL("http://127.0.0.1:8080/push"),
    proxyFetch,
    targetFetch,
    clock,
    logger: silentLogger(),
    metrics,
    maxBodyBytes: 0,
    ...extra,
  };
  return { deps, metrics };
}
