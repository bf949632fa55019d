/**
 * Our proxy with upstream's Go client, replayed from captured bytes: the exact poll request of fixture
 * 02/11, then the exact push of a fixture (only the scrape id replaced by the one our proxy handed out).
 * Whatever the scraper then receives is what Prometheus would get from a fleet of Go clients.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { parseScrapeRequest } from "../../src/wire/mod.ts";
import { fixtureBytes, fixtureMessage, rewriteBody } from "../support/fixtures.ts";
import { Harness } from "../support/harness.ts";
import {
  headerValue,
  headerValues,
  type HttpMessage,
  parseMessage,
  statusOf,
} from "../support/http_message.ts";
import { absoluteFormGet, connectRaw, type RawConnection, rawExchange } from "../support/raw_http.ts";
import { listedClients, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import { waitFor } from "../support/wait.ts";

const POLL_REQUEST = fixtureBytes("02-curl-scrape-plain", "2-poll-request.client-to-proxy.http");

/** The scrape id a pushed fixture carries (inside the serialized response). */
function fixtureId(push: HttpMessage): string {
  const inner = parseMessage(push.body, "response");
  const id = headerValue(inner, "Id");
  assert.ok(id, "fixture push has an Id header");
  return id;
}

/** What a scraper got, and what the fake Go client saw, in one scrape through our proxy. */
interface Replay {
  readonly scrape: HttpMessage;
  readonly pollResponse: HttpMessage;
  readonly pushResponse: HttpMessage;
  readonly scrapeUrl: string;
}

describe(`our proxy with upstream's Go client bytes (${selectedImplementation()})`, () => {
  const h = new Harness();
  const connections: RawConnection[] = [];
  let proxy: ProxyHandle | undefined;

  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.close();
    await h.cleanup();
    proxy = undefined;
  });
  after(() => h.cleanup());

  /** Registers a fake Go client for 127.0.0.1 with the captured poll bytes. */
  async function goClientPolls(): Promise<{ proxy: ProxyHandle; poller: RawConnection }> {
    proxy ??= await h.startProxy();
    const poller = await connectRaw(proxy.port);
    connections.push(poller);
    await poller.write(POLL_REQUEST);
    const url = proxy.url;
    await waitFor(async () => (await listedClients(url)).includes("127.0.0.1"), {
      timeoutMs: 10_000,
      what: "the replayed poll to register 127.0.0.1",
      details: () => h.logs(),
    });
    return { proxy, poller };
  }

  /** One scrape through the proxy, answered by replaying `pushFile` of `scenario`. */
  async function replay(scenario: string, pushFile: string, path = "/metrics"): Promise<Replay> {
    const { proxy, poller } = await goClientPolls();
    // The Go client scrapes whatever URL it is handed; nothing needs to listen there.
    const scrapeUrl = `http://127.0.0.1:19100${path}`;
    const scrapePromise = rawExchange(
      proxy.port,
      absoluteFormGet(scrapeUrl, [["X-Prometheus-Scrape-Timeout-Seconds", "5"]]),
      15_000,
    );
    const pollResponse = await poller.read("response", 10_000);
    assert.equal(
      statusOf(pollResponse),
      200,
      `poll response:\n${new TextDecoder().decode(pollResponse.raw)}`,
    );
    const request = parseScrapeRequest(pollResponse.body);
    assert.equal(request.url, scrapeUrl);
    assert.equal(request.method, "GET");
    assert.match(request.id, /^\S+$/);

    const push = fixtureMessage(scenario, pushFile, "request");
    const pushResponse = await rawExchange(proxy.port, rewriteBody(push, fixtureId(push), request.id));
    const scrape = await scrapePromise;
    return { scrape, pollResponse, pushResponse, scrapeUrl };
  }

  /** The scrape response a Go client meant to deliver: the fixture push's inner response. */
  function pushedResponse(scenario: string, pushFile: string): HttpMessage {
    return parseMessage(fixtureMessage(scenario, pushFile, "request").body, "response");
  }

  function assertNoPushProxHeaders(scrape: HttpMessage): void {
    for (const name of ["Id", "X-Prometheus-Scrape-Timeout-Seconds", "X-Prometheus-Scrape-Timeout"]) {
      assert.deepEqual(headerValues(scrape, name), [], `${name} must not reach the scraper`);
    }
  }

  it("answers the captured poll with a scrape request upstream's client can parse", async () => {
    const { pollResponse, pushResponse, scrape } = await replay(
      "02-curl-scrape-plain",
      "6-push-request.client-to-proxy.http",
    );
    assert.ok(["content-length", "chunked"].includes(pollResponse.framing), pollResponse.framing);
    assert.equal(statusOf(pushResponse), 200);
    assert.equal(statusOf(scrape), 200);
  });

  it("relays fixture 02's chunked 18 KB push to the scraper: status, headers, decoded body", async () => {
    const expected = pushedResponse("02-curl-scrape-plain", "6-push-request.client-to-proxy.http");
    const { scrape } = await replay("02-curl-scrape-plain", "6-push-request.client-to-proxy.http");
    assert.equal(statusOf(scrape), 200);
    assert.equal(headerValue(scrape, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(headerValue(scrape, "Date"), headerValue(expected, "Date"), "the target's Date is kept");
    assert.ok(expected.body.length > 17_000);
    assert.deepEqual(scrape.body, expected.body);
    assertNoPushProxHeaders(scrape);
  });

  it("relays fixture 11's Content-Length push: 1 KiB body, length kept", async () => {
    const expected = pushedResponse("11-content-length-target", "6-push-request.client-to-proxy.http");
    const { scrape } = await replay("11-content-length-target", "6-push-request.client-to-proxy.http", "/1k");
    assert.equal(statusOf(scrape), 200);
    assert.equal(scrape.body.length, 1024);
    assert.deepEqual(scrape.body, expected.body);
    const length = headerValue(scrape, "Content-Length");
    if (length !== undefined) assert.equal(length, "1024");
    assertNoPushProxHeaders(scrape);
  });

  const causes: Record<string, string> = {
    "03-curl-scrape-no-timeout-header": 'client error: strconv.ParseFloat: parsing "": invalid syntax',
    "04-target-down": "target unreachable: connection refused (127.0.0.1:19100)",
  };
  for (const [scenario, cause] of Object.entries(causes)) {
    it(`passes fixture ${scenario.slice(0, 2)}'s unframed "HTTP/0.0 500" error push on as a 500 with its text, its cause in the status line`, async () => {
      const expected = new TextDecoder().decode(
        pushedResponse(scenario, "6-push-request.client-to-proxy.http").body,
      );
      const { scrape, pushResponse } = await replay(scenario, "6-push-request.client-to-proxy.http");
      assert.equal(statusOf(pushResponse), 200, "the push itself is accepted");
      assert.equal(statusOf(scrape), 500);
      assert.equal(scrape.startLine, `HTTP/1.1 500 ${cause}`);
      assert.equal(new TextDecoder().decode(scrape.body).replace(/\n$/, ""), expected);
      assertNoPushProxHeaders(scrape);
    });
  }

  it("serves a Go client that polls again on the same keep-alive connection", async () => {
    const first = await replay("11-content-length-target", "6-push-request.client-to-proxy.http", "/1k");
    assert.equal(statusOf(first.scrape), 200);
    // Upstream's client sends its next poll on the connection that carried the last answer.
    const poller = connections[0]!;
    await poller.write(POLL_REQUEST);
    const active = proxy!;
    const scrapeUrl = "http://127.0.0.1:19100/1k";
    const scrapePromise = rawExchange(
      active.port,
      absoluteFormGet(scrapeUrl, [["X-Prometheus-Scrape-Timeout-Seconds", "5"]]),
      15_000,
    );
    const pollResponse = await poller.read("response", 10_000);
    const request = parseScrapeRequest(pollResponse.body);
    assert.equal(request.url, scrapeUrl);
    assert.notEqual(request.id, parseScrapeRequest(first.pollResponse.body).id, "every scrape gets a new id");
    const push = fixtureMessage("11-content-length-target", "6-push-request.client-to-proxy.http", "request");
    await rawExchange(active.port, rewriteBody(push, fixtureId(push), request.id));
    const second = await scrapePromise;
    assert.equal(statusOf(second), 200);
    assert.equal(second.body.length, 1024);
  });
});
