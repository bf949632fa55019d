/**
 * The proxy restarting under a real client: the client retries with back-off and is listed again within
 * its `--proxy.retry.max-wait` of the new proxy listening, and scrapes work again, with nobody touching
 * the client.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import {
  type ClientHandle,
  listedClients,
  type ProxyHandle,
  selectedImplementation,
  startProxy,
} from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { sleep, waitFor } from "../support/wait.ts";

const MAX_WAIT_MS = 1000;
/** Time for a retry that found the proxy back to reach it and register, on a loaded CI machine. */
const SLACK_MS = 2000;

describe(`proxy restart (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;
  let client: ClientHandle;

  before(async () => {
    proxy = await h.startProxy();
    target = await h.startStaticTarget();
    client = await h.startClient([
      `--proxy-url=${proxy.url}`,
      "--fqdn=127.0.0.1",
      "--proxy.retry.initial-wait=200ms",
      `--proxy.retry.max-wait=${MAX_WAIT_MS}ms`,
    ]);
  });
  after(() => h.cleanup());

  const scrape = (port: number) =>
    rawExchange(
      port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );

  it("is back in /clients within --proxy.retry.max-wait of a restarted proxy on the same port, and scrapes work", async () => {
    assert.equal(statusOf(await scrape(proxy.port)), 200, "the scrape before the restart failed");

    await proxy.stop();
    // Down long enough for the client's back-off to grow to its maximum: the bound below is then tight.
    await sleep(2 * MAX_WAIT_MS);
    const restarted = await startProxy(h.procs, [], { port: proxy.port });
    const started = performance.now();
    await waitFor(async () => (await listedClients(restarted.url)).includes("127.0.0.1"), {
      timeoutMs: MAX_WAIT_MS + SLACK_MS,
      intervalMs: 50,
      what: "the client to poll the restarted proxy",
      details: () => h.logs(),
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed <= MAX_WAIT_MS + SLACK_MS, `listed again after ${elapsed.toFixed(0)} ms`);

    const response = await scrape(restarted.port);
    assert.equal(statusOf(response), 200, `${bodyText(response)}\n${h.logs()}`);
    assert.equal(bodyText(response), target.body);
    assert.equal(client.process.deathReason(), undefined, "the client exited instead of retrying");
  });
});
