/**
 * Shutdown as a service manager does it: SIGTERM must stop each program promptly with exit code 0, so
 * systemd and Kubernetes see a clean stop rather than a failure or a SIGKILL after the grace period. The
 * stop is graceful: a scrape already under way still reaches Prometheus, a waiting poll is answered so its
 * client goes and polls again (elsewhere, behind a load balancer), and `/-/ready` turns 503 meanwhile.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { describeStatus } from "../support/process.ts";
import { selectedImplementation } from "../support/pushprox.ts";
import { absoluteFormGet, connectRaw, rawExchange } from "../support/raw_http.ts";
import { bodyText, headerValue, statusOf } from "../support/http_message.ts";
import { DEFAULT_TARGET_BODY } from "../support/static_target.ts";
import { waitFor } from "../support/wait.ts";

/** "Within a second or two", with room for a loaded CI machine. */
const STOP_LIMIT_MS = 2500;
/** How long the slow target takes: long enough to send SIGTERM while a scrape is under way. */
const SLOW_TARGET_MS = 1500;

describe(`SIGTERM (${selectedImplementation()})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("stops the proxy with exit code 0 within a second or two, even with a poll waiting", async () => {
    const proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const started = Date.now();
    proxy.process.signal("SIGTERM");
    const status = await proxy.process.waitForExit(10_000);
    const elapsed = Date.now() - started;
    assert.equal(describeStatus(status), "code 0", proxy.logs());
    assert.ok(elapsed < STOP_LIMIT_MS, `proxy took ${elapsed} ms to stop\n${proxy.logs()}`);
  });

  it("stops the client with exit code 0 within a second or two while it long-polls", async () => {
    const proxy = await h.startProxy();
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const started = Date.now();
    client.process.signal("SIGTERM");
    const status = await client.process.waitForExit(10_000);
    const elapsed = Date.now() - started;
    assert.equal(describeStatus(status), "code 0", client.logs());
    assert.ok(elapsed < STOP_LIMIT_MS, `client took ${elapsed} ms to stop\n${client.logs()}`);
  });

  it("lets the proxy finish a scrape under way, answers a waiting poll 204 with Connection: close, and is not ready meanwhile", async () => {
    const target = await h.startStaticTarget({ delayMs: SLOW_TARGET_MS });
    const proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const poller = await connectRaw(proxy.port);
    await poller.write(
      "POST /poll HTTP/1.1\r\nHost: proxy\r\nPushProx-Accept-Idle: 1\r\nContent-Length: 8\r\n\r\nwaiting1",
    );
    const scrape = rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "10",
      ]]),
    );
    await waitFor(() => target.requests.length === 1, {
      timeoutMs: 10_000,
      what: "the scrape to reach the target",
    });

    proxy.process.signal("SIGTERM");
    const released = await poller.read("response", 5000);
    assert.equal(statusOf(released), 204, h.logs());
    assert.equal(headerValue(released, "connection")?.toLowerCase(), "close");
    await poller.reader.waitForEnd(5000);
    const ready = await fetch(`${proxy.url}-/ready`);
    assert.equal(ready.status, 503, "not ready while shutting down");
    await ready.body?.cancel();

    const answer = await scrape;
    assert.equal(statusOf(answer), 200, h.logs());
    assert.equal(bodyText(answer), DEFAULT_TARGET_BODY);
    const status = await proxy.process.waitForExit(10_000);
    assert.equal(describeStatus(status), "code 0", proxy.logs());
  });

  it("exits the proxy with code 0 at --shutdown.timeout when a scrape is still under way", async () => {
    const target = await h.startStaticTarget({ delayMs: 8000 });
    const proxy = await h.startProxy(["--shutdown.timeout=500ms"]);
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    void rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "10",
      ]]),
    ).catch(() => {});
    await waitFor(() => target.requests.length === 1, {
      timeoutMs: 10_000,
      what: "the scrape to reach the target",
    });
    const started = Date.now();
    proxy.process.signal("SIGTERM");
    const status = await proxy.process.waitForExit(10_000);
    const elapsed = Date.now() - started;
    assert.equal(describeStatus(status), "code 0", proxy.logs());
    assert.ok(elapsed >= 400, `proxy waited only ${elapsed} ms for the scrape`);
    assert.ok(elapsed < 500 + STOP_LIMIT_MS, `proxy took ${elapsed} ms to stop\n${proxy.logs()}`);
  });

  it("lets the client finish a scrape under way and push its result before it exits with code 0", async () => {
    const target = await h.startStaticTarget({ delayMs: SLOW_TARGET_MS });
    const proxy = await h.startProxy();
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const scrape = rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "10",
      ]]),
    );
    await waitFor(() => target.requests.length === 1, {
      timeoutMs: 10_000,
      what: "the scrape to reach the target",
    });
    client.process.signal("SIGTERM");
    const answer = await scrape;
    assert.equal(statusOf(answer), 200, `${answer.startLine}\n${bodyText(answer)}\n${client.logs()}`);
    assert.equal(bodyText(answer), DEFAULT_TARGET_BODY);
    const status = await client.process.waitForExit(10_000);
    assert.equal(describeStatus(status), "code 0", client.logs());
  });
});
