import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { parseScrapeResponse } from "../wire/mod.ts";
import { pollAnnouncement, type PollLoopOptions, runPollLoop } from "./poll_loop.ts";
import { createFakeClock, type FakeClock } from "../time/fake_clock.ts";
import {
  countingMetrics,
  eventually,
  fakeProxy,
  fakeTarget,
  pollBody,
  recordingLogger,
} from "./fake_http.ts";
import type { RawFetch } from "../runtime/types.ts";

const FQDN = "127.0.0.1";
const ID = "83411e08-a275-47d0-a357-4a767c613cdc";

function agentOptions(
  proxyFetch: RawFetch,
  targetFetch: RawFetch,
  clock: FakeClock,
  extra: Partial<PollLoopOptions> = {},
): PollLoopOptions & { metrics: ReturnType<typeof countingMetrics> } {
  return {
    proxyUrl: "http://127.0.0.1:8080/",
    fqdn: FQDN,
    proxyFetch,
    targetFetch,
    clock,
    random: () => 0.5,
    logger: silentLogger(),
    metrics: countingMetrics(),
    retryInitialWaitMs: 1000,
    retryMaxWaitMs: 5000,
    maxBodyBytes: 0,
    ...extra,
  } as PollLoopOptions & { metrics: ReturnType<typeof countingMetrics> };
}

const networkError = () => {
  throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8080"), { code: "ECONNREFUSED" });
};

describe("runPollLoop()", () => {
  it("runPollLoop() announces its version and labels with every poll; the body stays the bare FQDN", async () => {
    const clock = createFakeClock();
    const idle = () => new Response(null, { status: 204 });
    const proxy = fakeProxy([idle, idle]);
    const stop = new AbortController();
    const announce = pollAnnouncement("9.8.7", new Map([["team", "db & ops"], ["site", "Zürich"]]));
    const options = agentOptions(proxy.fetch, fakeTarget(() => new Response("")).fetch, clock, { announce });
    const running = runPollLoop(options, stop.signal);
    await eventually(() => proxy.polls.length >= 2, "two polls");
    stop.abort();
    await running;
    for (const poll of proxy.polls.slice(0, 2)) {
      assert.equal(poll.body, FQDN);
      assert.equal(poll.headers.get("user-agent"), "pushprox-ts-client/9.8.7");
      assert.equal(poll.headers.get("pushprox-labels"), "team=db+%26+ops&site=Z%C3%BCrich");
      assert.equal(poll.headers.get("pushprox-accept-idle"), "1");
    }
  });

  it("pollAnnouncement() sends no labels header for a client without labels", () => {
    assert.deepEqual(pollAnnouncement("0.1.0", new Map()), [["User-Agent", "pushprox-ts-client/0.1.0"]]);
  });

  it("runPollLoop() polls with its FQDN, scrapes, and pushes the target response under the scrape id", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([() => new Response(pollBody("http://127.0.0.1:19100/metrics", ID))], {
      now: clock.now,
    });
    const target = fakeTarget(() =>
      new Response("up 1\n", { headers: { "Content-Type": "text/plain; version=0.0.4" } })
    );
    const stop = new AbortController();
    const running = runPollLoop(agentOptions(proxy.fetch, target.fetch, clock), stop.signal);

    const push = await proxy.push(0);
    stop.abort();
    await running;

    assert.equal(proxy.polls[0].body, FQDN);
    assert.equal(proxy.polls[0].headers.get("pushprox-accept-idle"), "1");
    assert.equal(target.requests[0].url, "http://127.0.0.1:19100/metrics");
    const { head, body } = await parseScrapeResponse(new Blob([push.body]).stream());
    assert.equal(head.status, 200);
    assert.equal(head.id, ID);
    assert.equal(head.headers.find(([name]) => name === "X-Prometheus-Scrape-Timeout")?.[1], "5.000000");
    assert.equal(head.headers.find(([name]) => name === "Content-Type")?.[1], "text/plain; version=0.0.4");
    assert.equal(await new Response(body).text(), "up 1\n");
  });

  it("runPollLoop() polls again at once, without waiting, after an idle 204", async () => {
    const clock = createFakeClock();
    const idle = () => new Response(null, { status: 204 });
    const proxy = fakeProxy([idle, idle, idle]);
    const stop = new AbortController();
    const options = agentOptions(proxy.fetch, fakeTarget(() => new Response("")).fetch, clock);
    const running = runPollLoop(options, stop.signal);

    await eventually(() => proxy.polls.length === 4, "the fourth poll");
    stop.abort();
    await running;
    assert.deepEqual(clock.requested, [], "no backoff timer was started");
    assert.equal(options.metrics.counts().poll, 0);
  });

  it("runPollLoop() backs off x1.5 after failed polls, counts them, and starts over after a success", async () => {
    const clock = createFakeClock();
    const failed = () =>
      new Response("Error WaitForScrapeInstruction: request is expired\n", { status: 408 });
    const proxy = fakeProxy([
      failed,
      networkError,
      failed,
      () => new Response(null, { status: 204 }),
      networkError,
    ]);
    const { logger, records } = recordingLogger();
    const options = agentOptions(proxy.fetch, fakeTarget(() => new Response("")).fetch, clock, { logger });
    const stop = new AbortController();
    const running = runPollLoop(options, stop.signal);

    for (let i = 0; i < 5; i++) await clock.advance(10_000);
    await eventually(() => proxy.polls.length === 6, "the sixth poll");
    stop.abort();
    await running;

    assert.deepEqual(clock.requested, [1000, 1500, 2250, 1000]);
    assert.equal(options.metrics.counts().poll, 4);
    const warning = records.find((r) => r.level === "warn" && r.fields.status === 408);
    assert.ok(warning, "a warning names the 408");
    assert.equal(warning.fields.body, "Error WaitForScrapeInstruction: request is expired");
    const refused = records.find((r) =>
      r.level === "warn" && String(r.fields.err).includes("connection refused")
    );
    assert.ok(refused, "a warning says the connection was refused");
  });

  it("runPollLoop() names its proxy on every log line, never with the URL's user name or password", async () => {
    const clock = createFakeClock();
    const { logger, records } = recordingLogger();
    // Not fakeProxy(): a Request cannot be built from a URL with credentials, and our client never builds one.
    const refused: RawFetch = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8080"));
    const options = agentOptions(refused, fakeTarget(() => new Response("")).fetch, clock, {
      proxyUrl: "http://scraper:s3cret@127.0.0.1:8080/",
      logger,
    });
    const stop = new AbortController();
    const running = runPollLoop(options, stop.signal);

    await eventually(() => clock.requested.length === 1, "the backoff");
    stop.abort();
    await running;
    assert.equal(records.length, 1);
    assert.equal(records[0].fields.proxy, "http://127.0.0.1:8080/");
    assert.match(String(records[0].fields.err), /cannot reach http:\/\/127\.0\.0\.1:8080\/poll: /);
    assert.doesNotMatch(JSON.stringify(records), /s3cret|scraper/);
  });

  it("runPollLoop() treats an unparseable 200 body as a poll error", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([() => new Response("garbage")]);
    const options = agentOptions(proxy.fetch, fakeTarget(() => new Response("")).fetch, clock);
    const stop = new AbortController();
    const running = runPollLoop(options, stop.signal);

    await eventually(() => clock.requested.length === 1, "the backoff");
    stop.abort();
    await running;
    assert.equal(options.metrics.counts().poll, 1);
    assert.deepEqual(clock.requested, [1000]);
  });

  it("runPollLoop() refuses a poll body above its cap", async () => {
    const clock = createFakeClock();
    const huge = pollBody("http://127.0.0.1:19100/metrics", ID, [`X-Big: ${"x".repeat(5000)}`]);
    const proxy = fakeProxy([() => new Response(huge)]);
    const target = fakeTarget(() => new Response(""));
    const options = agentOptions(proxy.fetch, target.fetch, clock, { maxPollBodyBytes: 4096 });
    const stop = new AbortController();
    const running = runPollLoop(options, stop.signal);

    await eventually(() => clock.requested.length === 1, "the backoff");
    stop.abort();
    await running;
    assert.equal(options.metrics.counts().poll, 1);
    assert.equal(target.requests.length, 0);
  });

  it("runPollLoop() starts the next poll while a scrape is still running", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([() => new Response(pollBody("http://127.0.0.1:19100/metrics", ID))], {
      now: clock.now,
    });
    let release: () => void = () => {};
    const target = fakeTarget(() =>
      new Promise<Response>((resolve) => (release = () => resolve(new Response("up 1\n"))))
    );
    const stop = new AbortController();
    const running = runPollLoop(agentOptions(proxy.fetch, target.fetch, clock), stop.signal);

    await eventually(
      () => proxy.polls.length === 2 && target.requests.length === 1,
      "a second poll during the scrape",
    );
    release();
    await proxy.push(0);
    stop.abort();
    await running;
  });

  it("runPollLoop() finishes a scrape in progress when stopped, refusing new ones with 503 until it is pushed", async () => {
    const clock = createFakeClock();
    let secondPoll: (response: Response) => void = () => {};
    const proxy = fakeProxy([
      () => new Response(pollBody("http://127.0.0.1:19100/metrics", ID)),
      () => new Promise<Response>((resolve) => (secondPoll = resolve)),
    ], { now: clock.now });
    let release: () => void = () => {};
    const target = fakeTarget(() =>
      new Promise<Response>((resolve) => (release = () => resolve(new Response("up 1\n"))))
    );
    const stop = new AbortController();
    let stopped = false;
    const running = runPollLoop(agentOptions(proxy.fetch, target.fetch, clock), stop.signal).then(() => {
      stopped = true;
    });
    await eventually(() => target.requests.length === 1 && proxy.polls.length === 2, "a scrape under way");
    stop.abort();
    // The proxy hands the still-open poll a new scrape: it is refused at once, not started.
    secondPoll(new Response(pollBody("http://127.0.0.1:19100/metrics", "second-id")));
    const refusal = new TextDecoder().decode((await proxy.push(0)).body);
    assert.match(refusal, /^HTTP\/1\.1 503 client shutting down\r\n[^]*Id: second-id\r\n/);
    assert.equal(target.requests.length, 1, "the new scrape never reached the target");
    assert.equal(stopped, false, "still running while its first scrape is under way");
    release();
    await running;
    assert.match(new TextDecoder().decode(proxy.pushes[1]!.body), /^HTTP\/1\.1 200 OK\r\n[^]*up 1\n$/);
    assert.equal(proxy.polls.length, 3, "one more poll kept the client present, and it ended at the stop");
  });

  it("runPollLoop() stops when aborted: the hanging poll and the backoff wait end", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([networkError]);
    const stop = new AbortController();
    const running = runPollLoop(
      agentOptions(proxy.fetch, fakeTarget(() => new Response("")).fetch, clock),
      stop.signal,
    );
    await eventually(() => clock.requested.length === 1, "the backoff wait");
    stop.abort();
    await running;
    assert.equal(clock.pending(), 0, "no timer left behind");
    assert.equal(proxy.polls.length, 1, "no poll after the abort");

    const idleProxy = fakeProxy([]);
    const stopIdle = new AbortController();
    const idle = runPollLoop(
      agentOptions(idleProxy.fetch, fakeTarget(() => new Response("")).fetch, clock),
      stopIdle.signal,
    );
    await eventually(() => idleProxy.polls.length === 1, "the hanging poll");
    stopIdle.abort();
    await idle;
    assert.equal(idleProxy.polls.length, 1);
  });
});
