import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import type { Logger } from "../log/logger.ts";
import { parseScrapeResponse } from "../wire/mod.ts";
import { type AgentOptions, runAgent } from "./agent.ts";
import { createFakeClock, type FakeClock } from "../time/fake_clock.ts";
import {
  asRequest,
  countingMetrics,
  eventually,
  fakeProxy,
  fakeTarget,
  hangUntilAborted,
  pollBody,
} from "./fake_http.ts";
import type { RawFetch } from "../runtime/types.ts";

const FQDN = "127.0.0.1";
const TARGET = "http://127.0.0.1:19100/metrics";
const PROXY_A = "http://proxy-a:8080/";
const PROXY_B = "http://proxy-b:8080/";
const ID_A = "aaaaaaaa-a275-47d0-a357-4a767c613cdc";
const ID_B = "bbbbbbbb-d260-4c64-984d-8397b675a401";

/** One RawFetch for the client's proxy leg that hands each request to the fake at its origin. */
function byOrigin(fakes: Record<string, RawFetch>): RawFetch {
  return (input, init) => {
    const origin = new URL(input instanceof Request ? input.url : input).origin + "/";
    const fake = fakes[origin];
    if (fake === undefined) throw new Error(`no fake proxy at ${origin}`);
    return fake(input, init);
  };
}

function options(
  proxyFetch: RawFetch,
  clock: FakeClock,
  extra: Partial<AgentOptions> = {},
) {
  const a = countingMetrics();
  const b = countingMetrics();
  const opts: AgentOptions = {
    proxies: [{ url: PROXY_A, metrics: a }, { url: PROXY_B, metrics: b }],
    fqdn: FQDN,
    proxyFetch,
    targetFetch: fakeTarget(() => new Response("up 1\n")).fetch,
    clock,
    random: () => 0.5,
    logger: silentLogger(),
    retryInitialWaitMs: 1000,
    retryMaxWaitMs: 5000,
    maxBodyBytes: 0,
    ...extra,
  };
  return { opts, a, b };
}

const refused = () => {
  throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8080"), { code: "ECONNREFUSED" });
};

async function pushedId(body: Uint8Array): Promise<string | null> {
  return (await parseScrapeResponse(new Blob([body as Uint8Array<ArrayBuffer>]).stream())).head.id;
}

describe("runAgent()", () => {
  it("runAgent() polls every proxy at once and pushes each scrape back to the proxy that sent it", async () => {
    const clock = createFakeClock();
    const proxyA = fakeProxy([() => new Response(pollBody(TARGET, ID_A))]);
    const proxyB = fakeProxy([() => new Response(pollBody(TARGET, ID_B))]);
    const { opts, a, b } = options(byOrigin({ [PROXY_A]: proxyA.fetch, [PROXY_B]: proxyB.fetch }), clock);
    const stop = new AbortController();
    const running = runAgent(opts, stop.signal);

    const [pushA, pushB] = await Promise.all([proxyA.push(0), proxyB.push(0)]);
    await eventually(() => proxyA.polls.length === 2 && proxyB.polls.length === 2, "both to poll again");
    stop.abort();
    await running;

    assert.equal(await pushedId(pushA.body), ID_A);
    assert.equal(await pushedId(pushB.body), ID_B);
    assert.equal(proxyA.pushes.length, 1, "proxy A got only its own scrape's push");
    assert.equal(proxyB.pushes.length, 1, "proxy B got only its own scrape's push");
    assert.deepEqual([proxyA.polls[0].body, proxyB.polls[0].body], [FQDN, FQDN]);
    assert.deepEqual([a.counts(), b.counts()], [{ poll: 0, scrape: 0, push: 0 }, {
      poll: 0,
      scrape: 0,
      push: 0,
    }]);
  });

  it("runAgent() serves scrapes through one proxy while the other refuses every poll and backs off", async () => {
    const clock = createFakeClock();
    const proxyA = fakeProxy([refused, refused, refused]);
    const scrape = (id: string) => () => new Response(pollBody(TARGET, id));
    const proxyB = fakeProxy([scrape(ID_B), scrape(ID_A), scrape(ID_B)], { now: clock.now });
    const { opts, a, b } = options(byOrigin({ [PROXY_A]: proxyA.fetch, [PROXY_B]: proxyB.fetch }), clock);
    const stop = new AbortController();
    const running = runAgent(opts, stop.signal);

    await proxyB.push(2);
    const backoffs = [...clock.requested.filter((ms) => ms === 1000)];
    stop.abort();
    await running;

    // The three scrapes went through while proxy A's first backoff had not even run out: time never moved.
    assert.deepEqual(proxyB.pushes.map((push) => push.at), [0, 0, 0]);
    assert.equal(proxyA.polls.length, 1, "proxy A is still in its first backoff");
    assert.deepEqual(backoffs, [1000], "only proxy A backed off");
    assert.equal(a.counts().poll, 1);
    assert.equal(b.counts().poll, 0);
  });

  it("runAgent() serves scrapes through one proxy while a push to the other never gets an answer", async () => {
    const clock = createFakeClock();
    let polledA = 0;
    const pushesA: Request[] = [];
    // Proxy A hands out one scrape, then holds its push (and every later poll) without a word.
    const slowA: RawFetch = (input, init) => {
      const request = asRequest(input, init);
      if (new URL(request.url).pathname === "/push") {
        pushesA.push(request);
        return hangUntilAborted(request.signal);
      }
      return polledA++ === 0
        ? Promise.resolve(new Response(pollBody(TARGET, ID_A)))
        : hangUntilAborted(request.signal);
    };
    const proxyB = fakeProxy([() => new Response(pollBody(TARGET, ID_B))], { now: clock.now });
    const { opts } = options(byOrigin({ [PROXY_A]: slowA, [PROXY_B]: proxyB.fetch }), clock);
    const stop = new AbortController();
    const running = runAgent(opts, stop.signal);

    await eventually(() => pushesA.length === 1, "the push to proxy A");
    const push = await proxyB.push(0);
    stop.abort();
    // A stop lets scrapes finish; the push that never gets an answer ends at the scrape's 5 s timeout.
    await clock.advance(5000);
    await running;
    assert.equal(await pushedId(push.body), ID_B);
    assert.equal(push.at, 0);
  });

  it("runAgent() stops every loop at shutdown and leaves no timer behind", async () => {
    const clock = createFakeClock();
    const proxyA = fakeProxy([refused]);
    const proxyB = fakeProxy([]);
    const { opts } = options(byOrigin({ [PROXY_A]: proxyA.fetch, [PROXY_B]: proxyB.fetch }), clock);
    const stop = new AbortController();
    const running = runAgent(opts, stop.signal);

    await eventually(
      () => clock.requested.length === 1 && proxyB.polls.length === 1,
      "a backoff and a held poll",
    );
    stop.abort();
    await running;
    assert.equal(clock.pending(), 0);
    assert.deepEqual([proxyA.polls.length, proxyB.polls.length], [1, 1]);
  });

  it("runAgent() stops the other loops and throws when one loop fails", async () => {
    const clock = createFakeClock();
    const proxyA = fakeProxy([refused]);
    const proxyB = fakeProxy([]);
    const broken = new Error("log sink is gone");
    // A logger that fails for proxy A's lines only: the one way left for a loop to fail.
    const logger: Logger = {
      ...silentLogger(),
      child: (fields) =>
        fields.proxy === PROXY_A
          ? {
            ...silentLogger(),
            warn: () => {
              throw broken;
            },
          }
          : silentLogger(),
    };
    const { opts } = options(byOrigin({ [PROXY_A]: proxyA.fetch, [PROXY_B]: proxyB.fetch }), clock, {
      logger,
    });

    await assert.rejects(runAgent(opts, new AbortController().signal), broken);
    assert.equal(proxyB.polls.length, 1, "proxy B's held poll was given up, not repeated");
  });

  it("runAgent() refuses to run without a proxy", async () => {
    const { opts } = options(fakeProxy([]).fetch, createFakeClock(), { proxies: [] });
    await assert.rejects(runAgent(opts, new AbortController().signal), {
      name: "RangeError",
      message: "Cannot run the client: no proxy to poll",
    });
  });
});
