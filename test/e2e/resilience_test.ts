/**
 * Failures as an operator sees them through the proxy, with real processes: a host without a client is
 * refused at once, a killed client stops costing scrapes their whole timeout, and a scrape without the
 * timeout header works (all three are upstream defects).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import { waitFor } from "../support/wait.ts";

describe(`resilience (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let targetPort: number;

  before(async () => {
    proxy = await h.startProxy();
    targetPort = (await h.startStaticTarget()).port;
  });
  after(() => h.cleanup());

  const scrape = (host: string, timeoutSeconds: string | null = "10") =>
    rawExchange(
      proxy.port,
      absoluteFormGet(
        `http://${host}:${targetPort}/metrics`,
        timeoutSeconds === null ? [] : [["X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds]],
      ),
      20_000,
    );

  it("answers a scrape for a host with no client within 100 ms, naming the host", async () => {
    const started = performance.now();
    const response = await scrape("127.0.0.9");
    const elapsed = performance.now() - started;
    assert.equal(statusOf(response), 503);
    assert.match(bodyText(response), /127\.0\.0\.9/);
    assert.ok(elapsed < 100, `answered after ${elapsed.toFixed(0)} ms`);
  });

  it("scrapes without X-Prometheus-Scrape-Timeout-Seconds using the default timeout", async () => {
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const response = await scrape("127.0.0.1", null);
    assert.equal(statusOf(response), 200, bodyText(response));
    assert.match(bodyText(response), /pushprox_test_metric\{source="static_target"\} 42/);
    await client.stop();
  });

  it("fails the next scrape within 2 s after its client is killed with -9, and recovers when it is back", async () => {
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    assert.equal(statusOf(await scrape("127.0.0.1")), 200);
    await client.kill9();
    const started = performance.now();
    const response = await scrape("127.0.0.1", "30");
    const elapsed = performance.now() - started;
    assert.notEqual(statusOf(response), 200);
    assert.match(bodyText(response), /127\.0\.0\.1/);
    assert.ok(elapsed < 2000, `the scrape after kill -9 took ${elapsed.toFixed(0)} ms`);

    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    await waitFor(async () => statusOf(await scrape("127.0.0.1")) === 200 || undefined, {
      timeoutMs: 10_000,
      what: "a successful scrape after the client came back",
    });
  });
});
