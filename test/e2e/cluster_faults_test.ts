/**
 * Cluster faults with real processes: Redis going away (local clients keep working, forwarded scrapes fail
 * at once with a clear error, one log line per state change, metrics say so, and everything recovers by
 * itself when Redis is back, even empty), and a proxy killed outright (its registry entries expire within
 * the TTL; until then a scrape for its client fails at once, naming the FQDN).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { listedClients, type ProxyHandle, selectedImplementation, startProxy } from "../support/pushprox.ts";
import { freePort } from "../support/ports.ts";
import { type RedisHandle, startRedis } from "../support/redis.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { waitFor } from "../support/wait.ts";
import { makeTestTls } from "../../src/http/testing/tls.ts";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

const TTL_MS = 3000;
const UNREACHABLE = "Cluster registry (Redis) unreachable";
const REACHABLE = "Cluster registry reachable";

describe(`cluster faults (${selectedImplementation()})`, () => {
  const h = new Harness();
  let redis: RedisHandle;
  let a: ProxyHandle;
  let b: ProxyHandle;
  let target: StaticTarget;

  const member = async (redisUrl: string, env?: Record<string, string>) => {
    const port = await freePort();
    return await startProxy(h.procs, [
      `--cluster.redis-url=${redisUrl}`,
      `--cluster.advertise-url=http://127.0.0.1:${port}/`,
      `--cluster.ttl=${TTL_MS}ms`,
    ], { port, env });
  };
  const scrape = async (proxy: ProxyHandle) => {
    const started = performance.now();
    const response = await rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );
    return { status: statusOf(response), body: bodyText(response), ms: performance.now() - started };
  };
  const metric = async (proxy: ProxyHandle, name: string) => {
    const text = await (await fetch(new URL("metrics", proxy.url))).text();
    return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  };
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  before(async () => {
    redis = await startRedis(h.procs);
    a = await member(redis.url);
    b = await member(redis.url);
    target = await h.startStaticTarget();
    await h.startClient([`--proxy-url=${a.url}`, "--fqdn=127.0.0.1", "--proxy.retry.max-wait=1s"]);
    await waitFor(async () => (await listedClients(b.url)).includes("127.0.0.1"), {
      timeoutMs: 10_000,
      what: "the other proxy to list the client",
      details: () => h.logs(),
    });
  });
  after(() => h.cleanup());

  it("forwards a scrape from the proxy without the client to the one holding it", async () => {
    const { status, body } = await scrape(b);
    assert.equal(status, 200, body);
    assert.equal(body, target.body);
  });

  it("keeps local clients working while Redis is down; forwarded scrapes fail at once, naming the FQDN", async () => {
    await redis.process.kill9();
    await waitFor(async () => (await metric(b, "pushprox_cluster_redis_up")) === 0, {
      timeoutMs: 10_000,
      what: "pushprox_cluster_redis_up 0",
      details: () => h.logs(),
    });
    const local = await scrape(a);
    assert.equal(local.status, 200, local.body);
    const forwarded = await scrape(b);
    assert.equal(forwarded.status, 503);
    assert.match(forwarded.body, /"127\.0\.0\.1".*registry \(Redis\) is unreachable/);
    assert.ok(forwarded.ms < 1000, `a forwarded scrape took ${forwarded.ms.toFixed(0)} ms to fail`);
    // Reconnection attempts go on meanwhile; they are not logged again.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(count(b.process.stderr, UNREACHABLE), 1, b.logs());
    assert.equal((await scrape(a)).status, 200);
  });

  it("recovers by itself when Redis is back, even empty", async () => {
    redis = await startRedis(h.procs, redis.port);
    await waitFor(async () => (await scrape(b)).status === 200, {
      timeoutMs: 10_000,
      what: "forwarded scrapes to work again",
      details: () => h.logs(),
    });
    assert.equal(await metric(b, "pushprox_cluster_redis_up"), 1);
    assert.equal(await metric(b, "pushprox_cluster_redis_disconnects_total"), 1);
    assert.equal(count(b.process.stderr, REACHABLE), 2, b.logs());
  });

  it("lets a killed proxy's entries expire within the TTL, failing its client's scrapes at once meanwhile", async () => {
    await a.kill9();
    const killed = performance.now();
    const early = await scrape(b);
    assert.equal(early.status, 503);
    assert.match(early.body, /"127\.0\.0\.1"/);
    assert.ok(early.ms < 1000, `a scrape for a dead proxy's client took ${early.ms.toFixed(0)} ms to fail`);
    await waitFor(async () => !(await listedClients(b.url)).includes("127.0.0.1"), {
      timeoutMs: TTL_MS + 2000,
      intervalMs: 100,
      what: "the dead proxy's client to leave /clients",
      details: () => h.logs(),
    });
    const elapsed = performance.now() - killed;
    assert.ok(elapsed <= TTL_MS + 1000, `gone after ${elapsed.toFixed(0)} ms`);
  });

  it("starts while Redis is unreachable, says so once, and serves", async () => {
    const lonely = await member(`redis://127.0.0.1:${await freePort()}`);
    await waitFor(() => lonely.process.stderr.includes(UNREACHABLE), {
      timeoutMs: 10_000,
      what: "the unreachable-Redis line",
      details: () => lonely.logs(),
    });
    assert.equal(await metric(lonely, "pushprox_cluster_redis_up"), 0);
    const response = await fetch(new URL("clients", lonely.url));
    assert.equal(response.status, 503);
    assert.match(await response.text(), /Redis\) is unreachable/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(count(lonely.process.stderr, UNREACHABLE), 1, lonely.logs());
    // Shutting down must not wait for Redis.
    const stopped = await lonely.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, lonely.logs());
  });

  it("joins through rediss:// (TLS), verifying Redis' certificate (a private CA via NODE_EXTRA_CA_CERTS)", async () => {
    const tls = makeTestTls();
    const secure = await startRedis(h.procs, undefined, tls);
    const dir = await h.tempDir("redis-ca");
    await writeFile(join(dir, "ca.pem"), tls.ca);
    const trusting = await member(secure.url, { NODE_EXTRA_CA_CERTS: join(dir, "ca.pem") });
    await waitFor(async () => (await metric(trusting, "pushprox_cluster_redis_up")) === 1, {
      timeoutMs: 10_000,
      what: "a proxy trusting the CA to reach Redis over TLS",
      details: () => trusting.logs(),
    });
    const doubting = await member(secure.url);
    await waitFor(() => doubting.process.stderr.includes(UNREACHABLE), {
      timeoutMs: 10_000,
      what: "a proxy without the CA to refuse Redis' certificate",
      details: () => doubting.logs(),
    });
    assert.match(doubting.process.stderr, /certificate/, doubting.logs());
    assert.equal(await metric(doubting, "pushprox_cluster_redis_up"), 0);
  });

  it("removes a proxy's entries at once when it is stopped with SIGTERM", async () => {
    const c = await member(redis.url);
    await h.startClient([`--proxy-url=${c.url}`, "--fqdn=localhost"], { waitFor: "started" });
    await waitFor(async () => (await listedClients(b.url)).includes("localhost"), {
      timeoutMs: 10_000,
      what: "the client of the third proxy in the cluster's /clients",
      details: () => h.logs(),
    });
    const stopped = performance.now();
    assert.deepEqual(await c.stop(), { code: 0, signal: null }, c.logs());
    assert.equal((await listedClients(b.url)).includes("localhost"), false);
    assert.ok(
      performance.now() - stopped < TTL_MS,
      "the entry outlived the stop: it expired rather than left",
    );
  });
});
