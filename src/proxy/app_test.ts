import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createLogger } from "../log/logger.ts";
import { parseScrapeRequest } from "../wire/mod.ts";
import { proxyAppHarness } from "./testing/app_harness.ts";

const FIXTURES = new URL("../../test/fixtures/pushprox-go-v0.2.0/", import.meta.url);
const fixture = (path: string) => readFileSync(new URL(path, FIXTURES));

function setup(overrides: { pollIdleTimeoutMs?: number; maxBodyBytes?: number } = {}) {
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", format: "logfmt", write: (line) => logs.push(line) });
  return { ...proxyAppHarness({ ...overrides, logger }), logs };
}

const poll = (direct: ReturnType<typeof setup>["direct"], fqdn: string, signal?: AbortSignal) =>
  direct("/poll", { method: "POST", body: fqdn, signal });

/**
 * The two ways a push reaches the push handler: read whole when it declares its length (as every real
 * client's does), streamed as it arrives when it does not.
 */
const PUSH_MODES: ReadonlyArray<readonly [string, (body: string | Uint8Array<ArrayBuffer>) => RequestInit]> =
  [
    ["declaring its length", (body) => ({
      method: "POST",
      body,
      headers: { "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.length) },
    })],
    ["of unknown length", (body) => ({ method: "POST", body })],
  ];

/** Polls and waits until the proxy has registered the poll (its body is read asynchronously). */
async function pollRegistered(
  direct: ReturnType<typeof setup>["direct"],
  fqdn: string,
  signal?: AbortSignal,
) {
  const response = poll(direct, fqdn, signal);
  for (let i = 0; i < 200; i++) {
    const listed = await (await direct("/clients")).text();
    if (listed.includes(JSON.stringify(fqdn))) return { response };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`poll for ${fqdn} was never registered`);
}

describe("proxy app", () => {
  it("serves its own metrics to a direct GET /metrics", async () => {
    const { direct, close } = setup();
    const response = await direct("/metrics");
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^pushprox_proxy_clients 0$/m);
    close();
  });

  it("never answers a proxied scrape of <host>/metrics with its own metrics", async () => {
    const { direct, proxied, close } = setup();
    const response = await proxied("http://proxy.local:8080/metrics");
    assert.equal(response.status, 503);
    const text = await response.text();
    assert.doesNotMatch(text, /pushprox_/);
    assert.match(text, /no PushProx client is connected for "proxy\.local"/);
    // ...also when a client for that host is connected: the scrape goes to the client.
    const controller = new AbortController();
    const { response: waiting } = await pollRegistered(direct, "proxy.local", controller.signal);
    const scrape = proxied("http://proxy.local:8080/metrics", {
      headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" },
    });
    const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
    assert.equal(instruction.url, "http://proxy.local:8080/metrics");
    const push = `HTTP/1.1 200 OK\r\nContent-Length: 6\r\nId: ${instruction.id}\r\n\r\nfrom 1`;
    const pushed = direct("/push", { method: "POST", body: push });
    const reply = await scrape;
    assert.equal(await reply.text(), "from 1");
    assert.equal((await pushed).status, 200);
    close();
  });

  it("lists polling clients in /clients in upstream's shape, bare FQDNs as targets, labels an object", async () => {
    const { direct, close } = setup();
    const empty = await direct("/clients");
    assert.equal(empty.headers.get("content-type"), "application/json");
    assert.equal(await empty.text(), "[]\n");
    const controller = new AbortController();
    void poll(direct, "127.0.0.1", controller.signal).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    const groups = await (await direct("/clients")).json();
    assert.deepEqual(groups.map((group: { targets: string[] }) => group.targets), [["127.0.0.1"]]);
    assert.equal(groups[0].labels.__meta_pushprox_pollers, "1");
    close();
  });

  for (const [mode, pushInit] of PUSH_MODES) {
    it(`relays an upstream Go client's chunked push (fixture 02) ${mode}, stripping the exchange's headers`, async () => {
      const { direct, proxied, close } = setup();
      const { response: waiting } = await pollRegistered(direct, "127.0.0.1");
      const scrape = proxied("http://127.0.0.1:19100/metrics", {
        headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" },
      });
      const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
      const body = Buffer.from(fixture("02-curl-scrape-plain/6-push-request.client-to-proxy.body"));
      const oldId = "2a33e70f-608a-4212-b961-9bb0f7b5b3f5";
      body.write(instruction.id, body.indexOf(oldId), "latin1");
      const pushed = direct("/push", pushInit(body));
      const reply = await scrape;
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      assert.equal(reply.headers.get("id"), null);
      assert.equal(reply.headers.get("x-prometheus-scrape-timeout"), null);
      const text = await reply.text();
      assert.match(text, /^go_goroutines 7$/m);
      assert.equal((await pushed).status, 200);
      close();
    });

    it(`relays an unframed HTTP/0.0 error push (fixture 04) ${mode} as a 500 with its text`, async () => {
      const { direct, proxied, close } = setup();
      const { response: waiting } = await pollRegistered(direct, "127.0.0.1");
      const scrape = proxied("http://127.0.0.1:19100/metrics");
      const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
      const body = Buffer.from(fixture("04-target-down/6-push-request.client-to-proxy.body"));
      body.write(instruction.id, body.indexOf("5dacbf41-d260-4c64-984d-8397b675a401"), "latin1");
      void direct("/push", pushInit(body));
      const reply = await scrape;
      assert.equal(reply.status, 500);
      // The status line is all Prometheus shows: it names the cause from the Go client's error text, which
      // a Go client's push always carries with its length (a streamed push is relayed as it comes).
      if (mode === "declaring its length") {
        assert.equal(reply.statusText, "target unreachable: connection refused (127.0.0.1:19100)");
      }
      assert.match(await reply.text(), /connection refused$/);
      close();
    });
  }

  it("fails the scrape with 502 and the push with 400 when a push declaring its length carries a cut body", async () => {
    const { direct, proxied, close } = setup();
    const { response: waiting } = await pollRegistered(direct, "127.0.0.1");
    const scrape = proxied("http://127.0.0.1:19100/metrics", {
      headers: { "X-Prometheus-Scrape-Timeout-Seconds": "30" },
    });
    const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
    const [, declaring] = PUSH_MODES[0]!;
    const push = await direct(
      "/push",
      declaring(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\nId: ${instruction.id}\r\n\r\nabc`),
    );
    assert.equal(push.status, 400);
    assert.match(await push.text(), /^malformed push: body ended after 3 of 10 bytes/);
    const reply = await scrape;
    assert.equal(reply.status, 502);
    assert.match(await reply.text(), /client for "127\.0\.0\.1" pushed a broken result: .*3 of 10 bytes/);
    close();
  });

  it("forwards the default timeout to the client when the scraper sent none", async () => {
    const { direct, proxied, close } = setup();
    const { response: waiting } = await pollRegistered(direct, "127.0.0.1");
    const scraper = new AbortController();
    void proxied("http://127.0.0.1:19100/metrics", { signal: scraper.signal }).catch(() => {});
    const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
    const header = instruction.headers.find(([name]) =>
      name.toLowerCase() === "x-prometheus-scrape-timeout-seconds"
    );
    assert.deepEqual(header, ["X-Prometheus-Scrape-Timeout-Seconds", "15"]);
    scraper.abort();
    close();
  });

  it("refuses a push for an unknown id at once with 404", async () => {
    const { direct, close } = setup();
    const started = performance.now();
    const response = await direct("/push", {
      method: "POST",
      body: "HTTP/1.1 200 OK\r\nId: 00000000-0000-0000-0000-000000000000\r\nContent-Length: 3\r\n\r\nok\n",
    });
    assert.equal(response.status, 404);
    assert.match(
      await response.text(),
      /^no scrape is waiting for id "00000000-0000-0000-0000-000000000000"/,
    );
    assert.ok(performance.now() - started < 500);
    close();
  });

  it("refuses a malformed push with 400 and one line naming the problem", async () => {
    const { direct, close } = setup();
    const response = await direct("/push", { method: "POST", body: "garbage" });
    assert.equal(response.status, 400);
    const text = await response.text();
    assert.match(text, /^malformed push: .*garbage/);
    assert.equal(text.trimEnd().split("\n").length, 1);
    close();
  });

  it("refuses a poll whose body is not a host name", async () => {
    const { direct, close } = setup();
    const response = await poll(direct, "bad host/\u0000name");
    assert.equal(response.status, 400);
    assert.match(await response.text(), /FQDN in poll body/);
    close();
  });

  it("counts polls in pushprox_http_requests_total and logs refusals with their path, like the other endpoints", async () => {
    const { direct, logs, close } = setup({ pollIdleTimeoutMs: 10 });
    assert.equal((await poll(direct, "")).status, 400);
    const idle = await direct("/poll", {
      method: "POST",
      body: "host-a",
      headers: { "PushProx-Accept-Idle": "1" },
    });
    assert.equal(idle.status, 204);
    const metrics = await (await direct("/metrics")).text();
    assert.match(metrics, /^pushprox_http_requests_total\{code="400",path="\/poll"\} 1$/m);
    assert.match(metrics, /^pushprox_http_requests_total\{code="204",path="\/poll"\} 1$/m);
    assert.match(metrics, /^pushprox_http_duration_seconds_count\{path="\/poll"\} 2$/m);
    assert.ok(
      logs.some((line) => line.includes("Request refused") && line.includes("path=/poll")),
      logs.join("\n"),
    );
    close();
  });

  it("counts pushes in pushprox_http_requests_total and answers /push/ and GET /push with 404", async () => {
    const { direct, logs, close } = setup();
    const unknown = await direct("/push", {
      method: "POST",
      body: "HTTP/1.1 200 OK\r\nId: no-such-id\r\nContent-Length: 0\r\n\r\n",
    });
    assert.equal(unknown.status, 404);
    assert.equal((await direct("/push/", { method: "POST", body: "" })).status, 404);
    assert.equal((await direct("/push")).status, 404);
    const metrics = await (await direct("/metrics")).text();
    // The unknown id and the GET, both counted under /push; /push/ under its own path.
    assert.match(metrics, /^pushprox_http_requests_total\{code="404",path="\/push"\} 2$/m);
    assert.match(metrics, /^pushprox_http_requests_total\{code="404",path="\/push\/"\} 1$/m);
    assert.match(metrics, /^pushprox_http_duration_seconds_count\{path="\/push"\} 2$/m);
    assert.ok(
      logs.some((line) => line.includes("Request refused") && line.includes("path=/push")),
      logs.join("\n"),
    );
    close();
  });

  it("takes a poll with a query string as a poll, and answers other methods and /poll/ with 404", async () => {
    const { direct, close } = setup();
    const refused = await direct("/poll?debug=1", { method: "POST", body: "" });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /poll body must hold the client's FQDN/);
    assert.equal((await direct("/poll/", { method: "POST", body: "host-a" })).status, 404);
    assert.equal((await direct("/poll")).status, 404);
    close();
  });

  it("answers an idle poll with 204 only for clients that announce support", async () => {
    const { direct, close } = setup({ pollIdleTimeoutMs: 50 });
    const idle = await direct("/poll", {
      method: "POST",
      body: "host-a",
      headers: { "PushProx-Accept-Idle": "1" },
    });
    assert.equal(idle.status, 204);
    const controller = new AbortController();
    const held = poll(direct, "host-b", controller.signal);
    const outcome = await Promise.race([
      held.then(() => "answered"),
      new Promise((r) => setTimeout(() => r("held"), 150)),
    ]);
    assert.equal(outcome, "held");
    controller.abort();
    close();
  });

  it("fails the waiting scrape at once with 502 when a push declares a Content-Length over the limit", async () => {
    const { direct, proxied, close } = setup({ maxBodyBytes: 10 });
    const { response: waiting } = await pollRegistered(direct, "127.0.0.1");
    const started = performance.now();
    const scrape = proxied("http://127.0.0.1:19100/metrics", {
      headers: { "X-Prometheus-Scrape-Timeout-Seconds": "30" },
    });
    const instruction = parseScrapeRequest(new Uint8Array(await (await waiting).arrayBuffer()));
    const push = await direct("/push", {
      method: "POST",
      body: `HTTP/1.1 200 OK\r\nContent-Length: 11\r\nId: ${instruction.id}\r\n\r\n01234567890`,
    });
    assert.equal(push.status, 413);
    assert.match(await push.text(), /11 bytes exceeds --scrape.max-body-size \(10 bytes\)/);
    const reply = await scrape;
    assert.equal(reply.status, 502);
    assert.match(
      await reply.text(),
      /11 bytes exceeds --scrape.max-body-size \(10 bytes\).*127\.0\.0\.1:19100/,
    );
    // Well before the 30 s the scraper allowed: nobody waits out a timeout for a result that cannot come.
    assert.ok(performance.now() - started < 5000);
    close();
  });
});
