/**
 * Targets that fail, seen from Prometheus' side of a real proxy and client: one slower than the scrape
 * timeout, one with nothing listening. Either way the answer comes before the timeout and says which
 * target failed and why, rather than a bare proxy timeout (upstream's answer in both cases).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { freePort } from "../support/ports.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";

describe(`failing targets (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;

  before(async () => {
    proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
  });
  after(() => h.cleanup());

  const scrape = (url: string, timeoutSeconds: string) =>
    rawExchange(
      proxy.port,
      absoluteFormGet(url, [["X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds]]),
      15_000,
    );

  it("answers a scrape of a target slower than its 1 s timeout within 1.5 s, naming the target and the timeout", async () => {
    const slow = await h.startStaticTarget({ delayMs: 3000 });
    const url = `http://127.0.0.1:${slow.port}/metrics`;
    const started = performance.now();
    const response = await scrape(url, "1");
    const elapsed = performance.now() - started;
    const body = bodyText(response);
    assert.notEqual(statusOf(response), 200, body);
    assert.ok(body.includes(url), `the answer does not name ${url}:\n${response.startLine}\n${body}`);
    assert.match(body, /timed out/);
    assert.match(body, /\b1s\b/, "the answer does not name the 1 s timeout");
    // The client's own reason, not the proxy giving up on the client at the deadline.
    assert.doesNotMatch(body, /pushed no result/);
    assert.ok(elapsed < 1500, `answered after ${elapsed.toFixed(0)} ms`);
    assert.equal(slow.requests.length, 1, "the slow target was not asked exactly once");
  });

  it("answers a scrape of a target where nothing listens with a 5xx naming the target and the refusal", async () => {
    const url = `http://127.0.0.1:${await freePort()}/metrics`;
    const started = performance.now();
    const response = await scrape(url, "10");
    const elapsed = performance.now() - started;
    const body = bodyText(response);
    assert.ok(statusOf(response) >= 500 && statusOf(response) <= 599, `${response.startLine}\n${body}`);
    assert.ok(body.includes(url), `the answer does not name ${url}:\n${body}`);
    assert.match(body, /connection refused/i);
    assert.ok(elapsed < 1000, `a refused connection took ${elapsed.toFixed(0)} ms to report`);
  });
});
