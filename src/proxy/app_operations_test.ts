/**
 * What an operator relies on: health endpoints, causes in the status line, scrape metrics, and a graceful
 * stop. Driven through the app's handler, without sockets.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScrapeRequest } from "../wire/mod.ts";
import { proxyAppHarness } from "./testing/app_harness.ts";

function setup() {
  const app = proxyAppHarness();
  const scrape = (url: string, timeoutSeconds = "5") =>
    app.proxied(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": timeoutSeconds } });
  const metrics = async () => await (await app.direct("/metrics")).text();
  return { ...app, scrape, metrics };
}

/** A poll for `fqdn`; resolves once the proxy holds it, with its answer still to come. */
async function waitingPoll(app: ReturnType<typeof setup>, fqdn: string) {
  const before = app.coordinator.activity().waitingPolls;
  const answer = app.direct("/poll", {
    method: "POST",
    body: fqdn,
    headers: { "PushProx-Accept-Idle": "1" },
  });
  for (let i = 0; i < 200 && app.coordinator.activity().waitingPolls === before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.equal(app.coordinator.activity().waitingPolls, before + 1, "the poll is waiting");
  // Wrapped: an async function returning the bare promise would wait for the poll's answer.
  return { answer };
}

const push = (app: ReturnType<typeof setup>, message: string) =>
  app.direct("/push", {
    method: "POST",
    body: message,
    headers: { "content-length": String(message.length) },
  });

describe("proxy app, for operators", () => {
  it("answers /-/healthy and /-/ready with 200, and /-/ready with 503 once shutting down", async () => {
    const app = setup();
    assert.deepEqual([(await app.direct("/-/healthy")).status, (await app.direct("/-/ready")).status], [
      200,
      200,
    ]);
    void app.coordinator.drain();
    const ready = await app.direct("/-/ready");
    assert.deepEqual([ready.status, await ready.text()], [503, "PushProx proxy is shutting down.\n"]);
    assert.equal((await app.direct("/-/healthy")).status, 200);
    app.close();
  });

  it("names the cause in the status line when no client polls for the scraped host, and counts it", async () => {
    const app = setup();
    const reply = await app.scrape("http://h1.example.com:9100/metrics");
    assert.deepEqual([reply.status, reply.statusText], [
      503,
      "no PushProx client connected for h1.example.com",
    ]);
    assert.match(await reply.text(), /no PushProx client is connected for "h1\.example\.com"/);
    const text = await app.metrics();
    assert.match(text, /^pushprox_proxy_scrapes_total\{outcome="no_client"\} 1$/m);
    assert.match(text, /^pushprox_proxy_scrapes_total\{outcome="success"\} 0$/m);
    assert.match(text, /^pushprox_proxy_scrape_duration_seconds_count\{outcome="no_client"\} 1$/m);
    app.close();
  });

  it("says 'no answer from client within 0.05s' when a client took a scrape and pushed nothing", async () => {
    const app = setup();
    const { answer: polled } = await waitingPoll(app, "h1");
    const reply = app.scrape("http://h1:9100/metrics", "0.05");
    assert.equal((await polled).status, 200);
    const answer = await reply;
    assert.deepEqual([answer.status, answer.statusText], [504, "no answer from client within 0.05s"]);
    assert.match(await app.metrics(), /^pushprox_proxy_scrapes_total\{outcome="timeout"\} 1$/m);
    app.close();
  });

  it("passes on the reason phrase our client pushed, and counts a relayed error response", async () => {
    const app = setup();
    const { answer: polled } = await waitingPoll(app, "h1");
    const reply = app.scrape("http://h1:9100/metrics");
    const { id } = parseScrapeRequest(new Uint8Array(await (await polled).arrayBuffer()));
    const text = "failed to scrape http://h1:9100/metrics: no such host";
    await push(
      app,
      `HTTP/1.1 502 target unreachable: no such host h1\r\nContent-Length: ${text.length}\r\nId: ${id}\r\n\r\n${text}`,
    );
    const answer = await reply;
    assert.deepEqual([answer.status, answer.statusText], [502, "target unreachable: no such host h1"]);
    assert.equal(await answer.text(), text);
    assert.match(await app.metrics(), /^pushprox_proxy_scrapes_total\{outcome="error_response"\} 1$/m);
    app.close();
  });

  it("shows connected clients, waiting polls and pending scrapes, and counts a success", async () => {
    const app = setup();
    const { answer: polled } = await waitingPoll(app, "h1");
    let text = await app.metrics();
    assert.match(text, /^pushprox_proxy_connected_clients 1$/m);
    assert.match(text, /^pushprox_proxy_waiting_polls 1$/m);
    assert.match(text, /^pushprox_proxy_pending_scrapes 0$/m);
    const reply = app.scrape("http://h1:9100/metrics");
    const { id } = parseScrapeRequest(new Uint8Array(await (await polled).arrayBuffer()));
    text = await app.metrics();
    assert.match(text, /^pushprox_proxy_waiting_polls 0$/m);
    assert.match(text, /^pushprox_proxy_pending_scrapes 1$/m);
    await push(app, `HTTP/1.1 200 OK\r\nContent-Length: 5\r\nId: ${id}\r\n\r\nup 1\n`);
    assert.equal(await (await reply).text(), "up 1\n");
    text = await app.metrics();
    assert.match(text, /^pushprox_proxy_pending_scrapes 0$/m);
    assert.match(text, /^pushprox_proxy_scrapes_total\{outcome="success"\} 1$/m);
    assert.match(text, /^pushprox_proxy_scrape_duration_seconds_count\{outcome="success"\} 1$/m);
    app.close();
  });

  it("at shutdown answers waiting polls 204 with Connection: close, refuses new work, and lets a taken scrape finish", async () => {
    const app = setup();
    const { answer: taken } = await waitingPoll(app, "h1");
    const reply = app.scrape("http://h1:9100/metrics");
    const { id } = parseScrapeRequest(new Uint8Array(await (await taken).arrayBuffer()));
    const { answer: idle } = await waitingPoll(app, "h2");

    let drained = false;
    const draining = app.coordinator.drain().then(() => (drained = true));
    const released = await idle;
    assert.deepEqual([released.status, released.headers.get("connection")], [204, "close"]);

    const late = await app.direct("/poll", { method: "POST", body: "h3" });
    assert.deepEqual([late.status, late.statusText, late.headers.get("connection")], [
      503,
      "proxy shutting down",
      "close",
    ]);
    const refused = await app.scrape("http://h1:9100/metrics");
    assert.deepEqual([refused.status, refused.statusText], [503, "proxy shutting down"]);

    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(drained, false, "still waiting for the scrape h1 took");
    assert.equal(
      (await push(app, `HTTP/1.1 200 OK\r\nContent-Length: 5\r\nId: ${id}\r\n\r\nup 1\n`)).status,
      200,
    );
    assert.equal(await (await reply).text(), "up 1\n");
    await draining;
    assert.match(await app.metrics(), /^pushprox_proxy_scrapes_total\{outcome="shutdown"\} 1$/m);
    app.close();
  });
});
