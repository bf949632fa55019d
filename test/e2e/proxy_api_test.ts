/**
 * The proxy's own HTTP pages as Prometheus and operators see them: /clients for service discovery, health
 * endpoints for load balancers, and the rule that a proxied request (absolute-form request line) is a
 * scrape to forward, never a request for the proxy's own pages, even when it names the proxy's own address.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, headerValue, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";

describe(`proxy HTTP API (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;

  before(async () => {
    proxy = await h.startProxy();
  });
  after(() => h.cleanup());

  it("GET /clients answers [] as application/json while no client polls", async () => {
    const response = await fetch(`${proxy.url}clients`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json\b/);
    assert.deepEqual(await response.json(), []);
  });

  it("GET /clients lists a polling client by its bare FQDN, with __meta_pushprox_* labels (a client without --label)", async () => {
    // A name that resolves nowhere: the client only polls, so it need not.
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=client-a.pushprox.test"]);
    const response = await fetch(`${proxy.url}clients`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json\b/);
    const text = await response.text();
    const groups = JSON.parse(text);
    assert.deepEqual(groups.map((group: { targets: string[] }) => group.targets), [[
      "client-a.pushprox.test",
    ]], text);
    assert.deepEqual(Object.keys(groups[0].labels).sort(), [
      "__meta_pushprox_client_version",
      "__meta_pushprox_last_poll",
      "__meta_pushprox_pollers",
      "__meta_pushprox_proxy",
    ], text);
  });

  it("does not answer a proxied scrape of its own address with its own metrics", async () => {
    // Warm up the proxy's metrics so that, if it wrongly served them, the body would be unmistakable.
    await (await fetch(`${proxy.url}metrics`)).text();
    const direct = await (await fetch(`${proxy.url}metrics`)).text();
    assert.match(direct, /pushprox_/, "the proxy's own /metrics, fetched directly, holds pushprox_ series");

    const response = await rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${proxy.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "1",
      ]]),
      15_000,
    );
    const body = bodyText(response);
    assert.notEqual(statusOf(response), 200, `a scrape for a host without a client must fail, got:\n${body}`);
    assert.doesNotMatch(body, /pushprox_http_requests_total|pushprox_proxy_clients|# TYPE/);
    assert.ok(headerValue(response, "content-type") !== "text/plain; version=0.0.4; charset=utf-8");
  });

  it("answers GET /-/healthy and /-/ready with 200, and a proxied scrape of /-/ready as a scrape", async () => {
    for (const path of ["-/healthy", "-/ready"]) {
      const response = await fetch(`${proxy.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), /^PushProx proxy is (Healthy|Ready)\.\n$/);
    }
    const scrape = await rawExchange(proxy.port, absoluteFormGet(`http://127.0.0.1:${proxy.port}/-/ready`));
    assert.equal(scrape.startLine, "HTTP/1.1 503 no PushProx client connected for 127.0.0.1");
  });
});
