/**
 * High availability without shared state: one client polls two proxies at once. Scrapes work through
 * either; a proxy killed with -9 costs the other nothing (every scrape through it succeeds, none slower by
 * more than 100 ms), and a proxy restarted on its port has the client back within
 * `--proxy.retry.max-wait` plus one second.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, type HttpMessage, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import {
  type ClientHandle,
  listedClients,
  type ProxyHandle,
  selectedImplementation,
  startProxy,
} from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { freePort } from "../support/ports.ts";
import { sleep, waitFor } from "../support/wait.ts";

const MAX_WAIT_MS = 1000;
/** What the issue allows between a proxy being back and the client polling it again, past the max wait. */
const BACK_SLACK_MS = 1000;
/** What the issue allows a scrape through the surviving proxy over one from before the kill. */
const DELAY_BOUND_MS = 100;
const SCRAPES = 20;

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

describe(`one client polling two proxies (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxyA: ProxyHandle;
  let proxyB: ProxyHandle;
  let target: StaticTarget;
  let client: ClientHandle;

  before(async () => {
    [proxyA, proxyB, target] = await Promise.all([h.startProxy(), h.startProxy(), h.startStaticTarget()]);
    client = await h.startClient([
      `--proxy-url=${proxyA.url}`,
      `--proxy-url=${proxyB.url}`,
      "--fqdn=127.0.0.1",
      "--proxy.retry.initial-wait=200ms",
      `--proxy.retry.max-wait=${MAX_WAIT_MS}ms`,
    ]);
    // startClient() waited for the first proxy's /clients; the second must list the client too.
    await waitFor(async () => (await listedClients(proxyB.url)).includes("127.0.0.1"), {
      timeoutMs: 10_000,
      what: "the client in the second proxy's /clients",
      details: () => h.logs(),
    });
  });
  after(() => h.cleanup());

  const scrape = (proxy: ProxyHandle): Promise<HttpMessage> =>
    rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );

  /** Scrapes through `proxy` `count` times in a row, `gapMs` apart; statuses and times in ms. */
  async function timedScrapes(proxy: ProxyHandle, count: number, gapMs: number) {
    const results: { status: number; ms: number; body: string }[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const response = await scrape(proxy);
      results.push({ status: statusOf(response), ms: performance.now() - started, body: bodyText(response) });
      await sleep(gapMs);
    }
    return results;
  }

  it("serves scrapes through either proxy and counts errors per proxy on its metrics page", async () => {
    for (const proxy of [proxyA, proxyB]) {
      const response = await scrape(proxy);
      assert.equal(statusOf(response), 200, `through ${proxy.url}: ${bodyText(response)}\n${h.logs()}`);
      assert.equal(bodyText(response), target.body);
    }
    const page = await (await fetch(`http://127.0.0.1:${client.port}/metrics`)).text();
    for (const proxy of [proxyA, proxyB]) {
      assert.match(page, new RegExp(`^pushprox_client_poll_errors_total\\{proxy="${proxy.url}"\\} 0$`, "m"));
      assert.match(page, new RegExp(`^pushprox_client_push_errors_total\\{proxy="${proxy.url}"\\} 0$`, "m"));
    }
  });

  it(`keeps ${SCRAPES} of ${SCRAPES} scrapes through the other proxy working, none ${DELAY_BOUND_MS} ms slower, after kill -9 of one`, async () => {
    await timedScrapes(proxyB, 5, 20); // warm-up: connections and JIT, not measured
    const before = await timedScrapes(proxyB, SCRAPES, 20);
    assert.deepEqual(before.map((r) => r.status), before.map(() => 200), h.logs());
    const bound = median(before.map((r) => r.ms)) + DELAY_BOUND_MS;

    await proxyA.kill9();
    // 50 ms apart, the scrapes span the client's first retries against the dead proxy (200, 300, 450 ms...).
    const afterKill = await timedScrapes(proxyB, SCRAPES, 50);
    const ok = afterKill.filter((r) => r.status === 200 && r.body === target.body);
    assert.equal(ok.length, SCRAPES, `${ok.length} of ${SCRAPES} scrapes succeeded\n${h.logs()}`);
    const slow = afterKill.filter((r) => r.ms > bound).map((r) => r.ms.toFixed(1));
    assert.deepEqual(
      slow,
      [],
      `scrapes slower than ${bound.toFixed(1)} ms (pre-kill median + ${DELAY_BOUND_MS})`,
    );

    // The client did notice: it names the dead proxy (and only by its URL) when its polls fail.
    assert.match(client.process.stderr, new RegExp(`msg="Poll failed[^\\n]*proxy=${proxyA.url}`));
    const page = await (await fetch(`http://127.0.0.1:${client.port}/metrics`)).text();
    assert.match(page, new RegExp(`^pushprox_client_poll_errors_total\\{proxy="${proxyB.url}"\\} 0$`, "m"));
    assert.doesNotMatch(
      page,
      new RegExp(`^pushprox_client_poll_errors_total\\{proxy="${proxyA.url}"\\} 0$`, "m"),
    );
  });

  it(`polls a proxy restarted on its port again within --proxy.retry.max-wait + ${BACK_SLACK_MS} ms`, async () => {
    assert.notEqual(proxyA.process.status, null, "the previous test killed proxy A");
    // Down long enough for the client's back-off to reach its maximum: the bound below is then tight.
    await sleep(2 * MAX_WAIT_MS);
    const restarted = await startProxy(h.procs, [], { port: proxyA.port });
    const started = performance.now();
    await waitFor(async () => (await listedClients(restarted.url)).includes("127.0.0.1"), {
      timeoutMs: MAX_WAIT_MS + BACK_SLACK_MS,
      intervalMs: 20,
      what: "the client to poll the restarted proxy",
      details: () => h.logs(),
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed <= MAX_WAIT_MS + BACK_SLACK_MS, `listed again after ${elapsed.toFixed(0)} ms`);

    for (const proxy of [restarted, proxyB]) {
      const response = await scrape(proxy);
      assert.equal(statusOf(response), 200, `through ${proxy.url}: ${bodyText(response)}\n${h.logs()}`);
    }
    assert.equal(client.process.deathReason(), undefined, "the client exited instead of retrying");
  });

  it("never shows a --proxy-url's user name or password in its logs or metrics", async () => {
    const dead = await freePort();
    const withSecret = (port: number) => `http://scraper:s3cret@127.0.0.1:${port}/`;
    const second = await h.startClient([
      `--proxy-url=${withSecret(proxyB.port)}`,
      `--proxy-url=${withSecret(dead)}`,
      "--fqdn=127.0.0.1",
      "--log.level=debug",
    ], { waitFor: "started" });
    await waitFor(() => second.process.stderr.includes("Poll failed") || undefined, {
      timeoutMs: 10_000,
      what: "a failed poll to the proxy that is not there",
      details: () => second.logs(),
    });
    // Two clients for one FQDN share its scrapes at proxy B, so some of these reach the second client.
    for (let i = 0; i < 4; i++) assert.equal(statusOf(await scrape(proxyB)), 200, h.logs());
    const page = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
    assert.match(page, new RegExp(`proxy="http://127.0.0.1:${dead}/"`));
    assert.match(second.process.stderr, new RegExp(`proxy=http://127.0.0.1:${dead}/`));
    assert.doesNotMatch(second.process.stderr + page, /s3cret|scraper/, second.logs());
  });
});
