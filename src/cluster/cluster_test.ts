import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cluster } from "./cluster.ts";
import { createFakeStore, type FakeStore } from "./fake_store.ts";
import { createFakeClock } from "../time/fake_clock.ts";
import { silentLogger } from "../log/logger.ts";
import { Registry } from "../metrics/registry.ts";
import { registerClusterMetrics } from "./metrics.ts";
import type { RawFetch, RawRequestInit } from "../runtime/types.ts";
import { HttpError } from "../proxy/http_error.ts";
import { HOP_HEADER, MISS_HEADER } from "./forwarder.ts";

const SELF = "http://proxy-a:8080/";
const OTHER = "http://proxy-b:8080/";
const THIRD = "http://proxy-c:8080/";
const TTL = 15_000;

interface Sent {
  readonly url: string;
  readonly init: RawRequestInit;
}

async function setup(
  options: { answer?: (sent: Sent) => Response | Promise<Response>; local?: string[]; up?: boolean } = {},
) {
  const clock = createFakeClock(1_000_000);
  const local = new Set(options.local ?? []);
  const sent: Sent[] = [];
  const fetch: RawFetch = async (input, init) => {
    const one = { url: String(input), init: init ?? {} };
    sent.push(one);
    return await (options.answer ?? (() => new Response("metric 1\n")))(one);
  };
  const registry = new Registry();
  let store!: FakeStore;
  const cluster = await Cluster.join({
    advertiseUrl: SELF,
    ttlMs: TTL,
    openStore: (events) => Promise.resolve(store = createFakeStore(clock, events, options.up ?? true)),
    fetch,
    timers: clock,
    logger: silentLogger(),
    metrics: registerClusterMetrics(registry),
    local: {
      fqdns: () => local.values(),
      has: (fqdn) => local.has(fqdn),
      describe: (fqdns) => fqdns.map((fqdn) => ({ fqdn, labels: JSON.stringify({ held_by: "proxy-a" }) })),
    },
  });
  return { clock, cluster, store, sent, registry, local };
}

/** Claims for `fqdns`, with the labels another proxy would list for them. */
const held = (...fqdns: string[]) =>
  fqdns.map((fqdn) => ({ fqdn, labels: JSON.stringify({ held_by: "elsewhere" }) }));

const scrapeOf = (fqdn: string, headers: Record<string, string> = {}) =>
  new Request(`http://${fqdn}:9100/metrics`, { headers: { accept: "text/plain", ...headers } });

describe("Cluster", () => {
  it("Cluster.scrape() forwards an absolute-form scrape to the holding proxy with the timeout and a hop marker", async () => {
    const { cluster, store, sent } = await setup();
    await store.claim(held("web-1"), OTHER, TTL);
    const response = await cluster.scrape(scrapeOf("web-1", { connection: "keep-alive" }), "web-1", 10_000);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "metric 1\n");
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.url, "http://web-1:9100/metrics");
    assert.equal(sent[0]!.init.proxy, OTHER);
    const headers = new Headers(sent[0]!.init.headers);
    assert.equal(headers.get(HOP_HEADER), SELF);
    assert.equal(headers.get("x-prometheus-scrape-timeout-seconds"), "10");
    assert.equal(headers.get("accept"), "text/plain");
    assert.equal(headers.get("connection"), null, "hop-by-hop headers are not passed on");
  });

  it("Cluster.scrape() answers repeated scrapes from its cache, without asking the store again", async () => {
    const { cluster, store, registry } = await setup();
    await store.claim(held("web-1"), OTHER, TTL);
    for (let i = 0; i < 3; i++) await (await cluster.scrape(scrapeOf("web-1"), "web-1", 1000)).text();
    assert.equal(store.calls.filter((call) => call.startsWith("owners")).length, 1);
    assert.match(registry.render(), /pushprox_cluster_lookups_total\{result="hit"\} 2/);
  });

  it("Cluster.scrape() looks again once an announcement names the FQDN", async () => {
    const { cluster, store, sent } = await setup();
    await store.claim(held("web-1"), OTHER, TTL);
    await (await cluster.scrape(scrapeOf("web-1"), "web-1", 1000)).text();
    await store.release(["web-1"], OTHER);
    await store.claim(held("web-1"), THIRD, TTL);
    store.announceFromElsewhere(["web-1"]);
    await (await cluster.scrape(scrapeOf("web-1"), "web-1", 1000)).text();
    assert.deepEqual(sent.map((s) => s.init.proxy), [OTHER, THIRD]);
  });

  it("Cluster.scrape() fails at once with 503 naming the FQDN when no proxy holds it", async () => {
    const { cluster } = await setup();
    await assert.rejects(cluster.scrape(scrapeOf("web-9"), "web-9", 1000), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 503);
      assert.match(error.message, /"web-9"/);
      return true;
    });
  });

  it("Cluster.scrape() fails at once, without a round trip, while the store is down", async () => {
    const { cluster, store } = await setup();
    await store.claim(held("web-1"), OTHER, TTL);
    store.setUp(false);
    const before = store.calls.length;
    await assert.rejects(
      cluster.scrape(scrapeOf("web-1"), "web-1", 1000),
      /registry \(Redis\) is unreachable/,
    );
    assert.equal(store.calls.length, before);
  });

  it("Cluster.scrape() never forwards a scrape that was forwarded to it, and marks the answer as a miss", async () => {
    const { cluster, sent } = await setup();
    const error = await cluster.scrape(scrapeOf("web-1", { [HOP_HEADER]: OTHER }), "web-1", 1000).then(
      () => assert.fail("a forwarded scrape without a local client must fail"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof HttpError);
    const response = error.toResponse();
    assert.equal(response.status, 503);
    assert.equal(response.headers.get(MISS_HEADER), "1");
    assert.match(await response.text(), /"web-1".*forwarded by http:\/\/proxy-b:8080\//);
    assert.equal(sent.length, 0);
  });

  it("Cluster.scrape() tries the next holder when one is unreachable, and forgets a route that all failed", async () => {
    const { cluster, store, clock } = await setup({
      answer: (sent) => {
        if (sent.init.proxy === OTHER) throw new TypeError("connection refused");
        return new Response("from c\n");
      },
    });
    await store.claim(held("web-1"), OTHER, TTL);
    await clock.advance(1);
    await store.claim(held("web-1"), THIRD, TTL);
    // Freshest first: THIRD is tried first and answers.
    assert.equal(await (await cluster.scrape(scrapeOf("web-1"), "web-1", 1000)).text(), "from c\n");
    await store.release(["web-1"], THIRD);
    store.announceFromElsewhere(["web-1"]);
    await assert.rejects(cluster.scrape(scrapeOf("web-1"), "web-1", 1000), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 503);
      assert.match(error.message, /"web-1" is held by no reachable proxy.*proxy-b.*connection refused/);
      return true;
    });
    const lookups = store.calls.filter((call) => call.startsWith("owners")).length;
    await assert.rejects(cluster.scrape(scrapeOf("web-1"), "web-1", 1000));
    assert.equal(store.calls.filter((call) => call.startsWith("owners")).length, lookups + 1);
  });

  it("Cluster.scrape() answers 504 when the holder does not answer within the scrape timeout", async () => {
    const { cluster, store, clock } = await setup({
      answer: (sent) =>
        new Promise((_, reject) =>
          sent.init.signal!.addEventListener("abort", () => reject(sent.init.signal!.reason))
        ),
    });
    await store.claim(held("web-1"), OTHER, TTL);
    const scraping = cluster.scrape(scrapeOf("web-1"), "web-1", 2000);
    const checked = assert.rejects(scraping, (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 504);
      assert.match(error.message, /timed out after 2s waiting for proxy http:\/\/proxy-b:8080\//);
      return true;
    });
    await clock.advance(2000);
    await checked;
  });

  it("Cluster.clients() lists the whole cluster's clients with their labels, this proxy's own as it has them", async () => {
    const { cluster, store } = await setup({ local: ["web-2", "web-3"] });
    await store.claim(held("web-1", "web-2"), OTHER, TTL);
    const local = [
      { targets: ["web-2"], labels: { fresh: "yes" } },
      { targets: ["web-3"], labels: { fresh: "yes" } },
    ];
    assert.deepEqual(await cluster.clients(local), [
      { targets: ["web-1"], labels: { held_by: "elsewhere" } },
      { targets: ["web-2"], labels: { fresh: "yes" } },
      { targets: ["web-3"], labels: { fresh: "yes" } },
    ]);
    store.setUp(false);
    await assert.rejects(cluster.clients(local), /unreachable: cannot list/);
  });

  it("Cluster publishes what this proxy lists for its clients, for the others' /clients", async () => {
    const { cluster, store, clock } = await setup();
    cluster.added("web-1");
    await clock.advance(0);
    assert.deepEqual(await store.list(), [{
      fqdn: "web-1",
      owners: [SELF],
      labels: '{"held_by":"proxy-a"}',
    }]);
  });

  it("Cluster registers clients as they come and go, in one batch per turn, and announces them", async () => {
    const { cluster, store, clock } = await setup();
    cluster.added("web-1");
    cluster.added("web-2");
    cluster.dropped("web-2");
    await clock.advance(0);
    assert.deepEqual(store.calls.slice(-3), ["claim web-1", "release web-2", "announce web-1,web-2"]);
    assert.deepEqual(await store.owners("web-1"), [SELF]);
  });

  it("Cluster refreshes its entries every third of the TTL, so they outlive it only if it dies", async () => {
    const { cluster, store, clock, local } = await setup();
    local.add("web-1");
    cluster.added("web-1");
    await clock.advance(0);
    await clock.advance(TTL * 2);
    assert.deepEqual(await store.owners("web-1"), [SELF], "refreshed entries must not expire");
    assert.ok(store.calls.filter((call) => call === "claim web-1").length >= 6);
    await cluster.leave();
    await clock.advance(TTL);
    assert.deepEqual(await store.owners("web-1"), []);
  });

  it("Cluster claims everything again when the store comes back (it may have restarted empty)", async () => {
    const { cluster, store, clock, local } = await setup();
    local.add("web-1");
    cluster.added("web-1");
    await clock.advance(0);
    store.setUp(false);
    await clock.advance(TTL * 2); // refreshes skipped while down: the entry expires
    assert.equal(store.calls.filter((call) => call === "owners web-1").length, 0);
    store.setUp(true);
    await clock.advance(0);
    assert.deepEqual(await store.owners("web-1"), [SELF]);
  });
});
