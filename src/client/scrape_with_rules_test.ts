/** scrapeAndPush() under the scrape rules: `--allow-port`, `--allow-method`, `--use-localhost`. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScrapeRequest, parseScrapeResponse } from "../wire/mod.ts";
import { createFakeClock } from "../time/fake_clock.ts";
import { fakeProxy, fakeTarget, pollBody, recordingLogger, scrapeDeps } from "./fake_http.ts";
import { scrapeAndPush } from "./scrape.ts";
import { DEFAULT_SCRAPE_RULES } from "./scrape_rules.ts";

const ID = "0b1c7a52-3f7e-4f0c-9a55-2d6c1c0e9b11";
const URL_ = "http://127.0.0.1:19100/metrics";
const never = new AbortController().signal;

const deps = scrapeDeps;

/** A scrape request as the proxy hands it over, with any method. */
function request(url = URL_, extra?: string[], method = "GET") {
  const body = pollBody(url, ID, extra).replace(/^GET /, `${method} `);
  return parseScrapeRequest(new TextEncoder().encode(body));
}

async function parsePush(bytes: Uint8Array<ArrayBuffer>) {
  const { head, body } = await parseScrapeResponse(new Blob([bytes]).stream());
  return { head, body: new Uint8Array(await new Response(body).arrayBuffer()) };
}

describe("scrapeAndPush() with scrape rules", () => {
  it("scrapeAndPush() scrapes an allowed port as usual", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const rules = { ...DEFAULT_SCRAPE_RULES, allowedPorts: new Set([9100, 19100]) };
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock, { rules });
    await scrapeAndPush(d, request(), never);

    assert.equal(target.requests.length, 1);
    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 200);
    assert.equal(new TextDecoder().decode(push.body), "up 1\n");
    assert.equal(metrics.counts().scrape, 0);
  });

  it("scrapeAndPush() refuses a port outside --allow-port: 403 naming target and rule, one warning, no target request", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const { logger, records } = recordingLogger();
    const rules = { ...DEFAULT_SCRAPE_RULES, allowedPorts: new Set([9100]) };
    const { deps: d, metrics } = deps(proxy.fetch, target.fetch, clock, { rules, logger });
    await scrapeAndPush(d, request("http://127.0.0.1:22/metrics"), never);

    assert.equal(target.requests.length, 0, "the target was never asked");
    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 403);
    // Prometheus shows the status line as the scrape's error, so the rule goes there too.
    assert.equal(push.head.statusText, "port 22 not allowed by --allow-port");
    assert.equal(push.head.id, ID);
    assert.equal(
      new TextDecoder().decode(push.body),
      "refusing to scrape http://127.0.0.1:22/metrics: port 22 not allowed by --allow-port",
    );
    assert.equal(metrics.counts().scrape, 1);
    assert.deepEqual(records.map((r) => [r.level, r.msg]), [["warn", "Scrape refused"]]);
    assert.equal(records[0].fields.scrape_id, ID);
    assert.match(String(records[0].fields.err), /port 22 not allowed by --allow-port/);
  });

  it("scrapeAndPush() refuses a DELETE by default with a 403, and the target never sees it", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("deleted\n"));
    const { deps: d } = deps(proxy.fetch, target.fetch, clock);
    await scrapeAndPush(d, request("http://127.0.0.1:19100/api/v1/admin", undefined, "DELETE"), never);

    assert.equal(target.requests.length, 0);
    const push = await parsePush(proxy.pushes[0].body);
    assert.equal(push.head.status, 403);
    assert.equal(push.head.statusText, "method DELETE not allowed by --allow-method");
  });

  it("scrapeAndPush() relays a method --allow-method allows", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("ok\n"));
    const rules = { ...DEFAULT_SCRAPE_RULES, allowedMethods: new Set(["GET", "POST"]) };
    const { deps: d } = deps(proxy.fetch, target.fetch, clock, { rules });
    await scrapeAndPush(d, request(URL_, undefined, "POST"), never);

    assert.equal(target.requests[0].method, "POST");
    assert.equal((await parsePush(proxy.pushes[0].body)).head.status, 200);
  });

  it("scrapeAndPush() with --use-localhost connects to 127.0.0.1 and keeps the FQDN in Host", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const rules = { ...DEFAULT_SCRAPE_RULES, useLocalhost: true };
    const { deps: d } = deps(proxy.fetch, target.fetch, clock, { rules, fqdn: "host1.example.com" });
    await scrapeAndPush(d, request("http://host1.example.com:9100/metrics?x=1"), never);

    assert.equal(target.requests[0].url, "http://127.0.0.1:9100/metrics?x=1");
    assert.equal(target.requests[0].headers.get("host"), "host1.example.com:9100");
    assert.equal((await parsePush(proxy.pushes[0].body)).head.status, 200);
  });

  it("scrapeAndPush() with --use-localhost still refuses a request for another host", async () => {
    const clock = createFakeClock();
    const proxy = fakeProxy([]);
    const target = fakeTarget(() => new Response("up 1\n"));
    const rules = { ...DEFAULT_SCRAPE_RULES, useLocalhost: true };
    const { deps: d } = deps(proxy.fetch, target.fetch, clock, { rules, fqdn: "host1.example.com" });
    await scrapeAndPush(d, request("http://host2.example.com:9100/metrics"), never);

    assert.equal(target.requests.length, 0);
    assert.equal((await parsePush(proxy.pushes[0].body)).head.status, 400);
  });
});
