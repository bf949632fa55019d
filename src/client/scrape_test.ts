import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { parseScrapeRequest, parseScrapeResponse } from "../wire/mod.ts";
import { createFakeClock } from "../time/fake_clock.ts";
import {
  fakeProxy,
  fakeTarget,
  hangUntilAborted,
  pollBody,
  recordingLogger,
  scrapeDeps,
} from "./fake_http.ts";
import { scrapeAndPush } from "./scrape.ts";

const ID = "5dacbf41-d260-4c64-984d-8397b675a401";
const URL_ = "http://127.0.0.1:19100/metrics";

const deps = scrapeDeps;

function request(url = URL_, extra?: string[]) {
  return parseScrapeRequest(new TextEncoder().encode(pollBody(url, ID, extra)));
}

async function parsePush(bytes: Uint8Array<ArrayBuffer>) {
  const { head, body } = await parseScrapeResponse(new Blob([bytes]).stream());
  const header = (name: string) =>
    head.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  return { head, header, body: new Uint8Array(await new Response(body).arrayBuffer()) };
}

const never = new AbortController().signal;

describe("scrapeAndPush()", () => {
  it("scrapeAndPush() forwards the scraper's headers minus hop-by-hop ones, Host set from the URL", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(
      d,
      request(URL_, ["Proxy-Connection: Keep-Alive", "X-Prometheus-Scrape-Timeout-Seconds: 5"]),
      never,
    );

    const sent = target.requests[0];
    assert.equal(sent.method, "GET");
    assert.equal(sent.headers.get("host"), "127.0.0.1:19100");
    assert.equal(sent.headers.get("user-agent"), "Prometheus/2.42.0+ds");
    assert.equal(sent.headers.get("accept-encoding"), "gzip");
    assert.equal(sent.headers.get("x-prometheus-scrape-timeout-seconds"), "5");
    assert.equal(sent.headers.get("proxy-connection"), null);
  });

  it("scrapeAndPush() refuses a request for another host with a 400 push and no target request", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request("http://10.0.0.9:9100/metrics"), never);

    assert.equal(target.requests.length, 0);
    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 400);
    assert.equal(push.head.id, ID);
    const text = new TextDecoder().decode(push.body);
    assert.match(text, /10\.0\.0\.9/);
    assert.match(text, /"127\.0\.0\.1"/);
    assert.equal(metrics.counts().scrape, 1);
  });

  it("scrapeAndPush() scrapes over https without the _scheme parameter", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request("http://127.0.0.1:19100/metrics?_scheme=https&module=node"), never);

    assert.equal(target.requests[0].url, "https://127.0.0.1:19100/metrics?module=node");
    assert.equal((await parsePush(proxy.pushes[0].body)).head.status, 200);
  });

  it("scrapeAndPush() pushes a 502 whose reason phrase says the target is unreachable, and where", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:19100"), { code: "ECONNREFUSED" });
    });
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request(), never);

    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 502);
    assert.equal(push.head.statusText, "target unreachable: connection refused (127.0.0.1:19100)");
    assert.equal(push.head.id, ID);
    assert.equal(push.header("X-Prometheus-Scrape-Timeout"), "5.000000");
    assert.equal(
      new TextDecoder().decode(push.body),
      "failed to scrape http://127.0.0.1:19100/metrics: connection refused",
    );
    assert.equal(metrics.counts().scrape, 1);
    assert.equal(metrics.kinds.get("unreachable"), 1);
  });

  it("scrapeAndPush() names the host a lookup did not find in the reason phrase", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => {
      throw new Error("failed to lookup address information: Name or service not known");
    });
    const { deps: d } = deps(proxy.fetch, target.fetch, clock, { fqdn: "h1.invalid" });
    await scrapeAndPush(d, request("http://h1.invalid:9100/metrics"), never);

    const push = await parsePush(proxy.pushes[0].body);
    assert.deepEqual([push.head.status, push.head.statusText], [
      502,
      "target unreachable: no such host h1.invalid",
    ]);
  });

  it("scrapeAndPush() gives up on a slow target before the deadline and pushes a timeout error", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([], { now: clock.now });
    const target = fakeTarget((req) => hangUntilAborted(req.signal));
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock);
    const done = scrapeAndPush(d, request(URL_, ["X-Prometheus-Scrape-Timeout-Seconds: 1"]), never);

    await clock.advance(899);
    assert.equal(proxy.pushes.length, 0, "nothing pushed before the budget is spent");
    await clock.advance(1);
    await done;

    const push = await parsePush(proxy.pushes[0].body);
    assert.deepEqual([push.head.status, push.head.statusText], [504, "target timed out after 0.90s"]);
    assert.equal(
      new TextDecoder().decode(push.body),
      "scrape of http://127.0.0.1:19100/metrics timed out after 0.90s (scrape timeout 1s)",
    );
    assert.equal(metrics.kinds.get("timeout"), 1);
    assert.ok(proxy.pushes[0].at < 1000, `pushed at ${proxy.pushes[0].at} ms, before the 1 s deadline`);
    assert.equal(push.header("X-Prometheus-Scrape-Timeout"), "0.100000");
    assert.equal(metrics.counts().scrape, 1);
    assert.equal(clock.pending(), 0, "no timer left behind");
  });

  it("scrapeAndPush() uses 15 s when the timeout header is missing", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([], { now: clock.now });
    const target = fakeTarget((req) => hangUntilAborted(req.signal));
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    const done = scrapeAndPush(d, request(URL_, []), never);
    await clock.advance(14_000);
    await done;
    const push = await parsePush(proxy.pushes[0].body);
    assert.match(new TextDecoder().decode(push.body), /timed out after 14\.00s \(scrape timeout 15s\)/);
  });

  it("scrapeAndPush() pushes a small chunked gzip body whole: bytes unchanged, one Content-Length", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const gzipped = new Uint8Array(gzipSync("node_load1 0.5\n".repeat(100)));
    // No Content-Length, in two pieces: how node exporter sends its gzip.
    const half = gzipped.length >> 1;
    const target = fakeTarget(() =>
      new Response(new Blob([gzipped.subarray(0, half), gzipped.subarray(half)]).stream(), {
        headers: { "Content-Encoding": "gzip", "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
      })
    );
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request(), never);

    const recorded = proxy.pushes[0];
    const push = await parsePush(recorded.body);
    assert.equal(push.header("Content-Encoding"), "gzip");
    assert.equal(push.head.framing, "content-length");
    assert.equal(push.head.contentLength, gzipped.length);
    assert.deepEqual(push.body, gzipped);
    assert.equal(recorded.headers.get("content-length"), String(recorded.body.byteLength));
  });

  it("scrapeAndPush() streams an unframed body past 64 KiB chunked, the bytes read ahead first", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const pieces = Array.from({ length: 5 }, (_, i) => new Uint8Array(20_000).fill(0x61 + i));
    const target = fakeTarget(() => new Response(new Blob(pieces).stream()));
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request(), never);

    const recorded = proxy.pushes[0];
    assert.equal(recorded.headers.get("content-length"), null, "an unknown length past 64 KiB goes chunked");
    const push = await parsePush(recorded.body);
    assert.equal(push.head.framing, "chunked");
    const expected = new Uint8Array(100_000);
    pieces.forEach((piece, i) => expected.set(piece, i * 20_000));
    assert.deepEqual(push.body, expected);
  });

  it("scrapeAndPush() pushes a 502 when a small unframed body breaks, not a cut push", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("up 1\n"));
        controller.error(new Error("connection closed before the response body ended (chunked)"));
      },
    });
    const target = fakeTarget(() => new Response(broken));
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request(), never);

    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 502);
    assert.match(push.head.statusText, /^target failed: connection closed before the response body ended/);
    assert.match(
      new TextDecoder().decode(push.body),
      /failed to scrape .*: .*closed before the response body ended/,
    );
    assert.equal(metrics.kinds.get("target_failed"), 1);
    assert.equal(metrics.counts().scrape, 1);
  });

  it("scrapeAndPush() frames a Content-Length target response with Content-Length, outside and inside", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const payload = "bench_metric 1\n".repeat(70);
    const target = fakeTarget(() =>
      new Response(new Blob([payload]).stream(), { headers: { "Content-Length": String(payload.length) } })
    );
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request(), never);

    const recorded = proxy.pushes[0];
    assert.equal(recorded.headers.get("content-length"), String(recorded.body.byteLength));
    const push = await parsePush(recorded.body);
    assert.equal(push.head.framing, "content-length");
    assert.equal(push.head.contentLength, payload.length);
    assert.equal(new TextDecoder().decode(push.body), payload);
  });

  const tooLarge = [
    {
      what: "a response that declares more than",
      size: 2000,
      respond: () => new Response("x".repeat(2000), { headers: { "Content-Length": "2000" } }),
    },
    {
      what: "a small unframed response past",
      size: 1200,
      respond: () => new Response(new Blob(["x".repeat(600), "y".repeat(600)]).stream()),
    },
  ];
  for (const { what, size, respond } of tooLarge) {
    it(`scrapeAndPush() pushes an error instead of ${what} --scrape.max-body-size`, async () => {
      const clock = createFakeClock();
      const proxy = fakeProxy([]);
      const { deps: d, metrics } = deps(proxy.fetch, fakeTarget(respond).fetch, clock, {
        maxBodyBytes: 1000,
      });
      await scrapeAndPush(d, request(), never);

      const push = await parsePush(proxy.pushes[0].body);
      assert.deepEqual(
        [push.head.status, push.head.statusText],
        [502, `target response too large: ${size} bytes, limit 1000`],
      );
      assert.match(
        new TextDecoder().decode(push.body),
        new RegExp(`${size} bytes exceeds --scrape.max-body-size \\(1000 bytes\\)`),
      );
      assert.equal(metrics.counts().scrape, 1);
    });
  }

  it("scrapeAndPush() cuts a large chunked response that runs past --scrape.max-body-size, and logs it", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const pieces = Array.from({ length: 8 }, () => new Uint8Array(20_000).fill(0x78));
    const target = fakeTarget(() => new Response(new Blob(pieces).stream()));
    const { logger, records } = recordingLogger();
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock, { maxBodyBytes: 100_000, logger });
    await scrapeAndPush(d, request(), never);

    assert.equal(proxy.pushes.length, 0, "the push never completed");
    assert.equal(metrics.counts().scrape, 1);
    assert.equal(metrics.counts().push, 0);
    assert.ok(
      records.some((r) => r.level === "warn" && /max-body-size/.test(r.msg) && r.fields.scrape_id === ID),
    );
  });

  it("scrapeAndPush() counts and logs a push the proxy refuses", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([], { pushStatus: 500 });
    const { logger, records } = recordingLogger();
    const { deps: d, metrics } = deps(proxy.fetch, fakeTarget(() => new Response("up 1\n")).fetch, clock, {
      logger,
    });
    await scrapeAndPush(d, request(), never);

    assert.equal(metrics.counts().push, 1);
    const line = records.find((r) => r.level === "error");
    assert.ok(line);
    assert.match(String(line.fields.err), /proxy answered the push with 500/);
  });

  it("scrapeAndPush() pushes nothing once shut down", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget((req) => hangUntilAborted(req.signal));
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock);
    const stop = new AbortController();
    const done = scrapeAndPush(d, request(), stop.signal);
    await clock.advance(10);
    stop.abort();
    await done;
    assert.equal(proxy.pushes.length, 0);
    assert.deepEqual(metrics.counts(), { poll: 0, scrape: 0, push: 0 });
  });
});
