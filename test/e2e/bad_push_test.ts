/**
 * Bad input at a real proxy while a real client serves scrapes through it: pushes for unknown ids,
 * malformed and oversized pushes, polls with impossible FQDNs, and senders that stall half-way. Each is
 * answered at once with a 4xx and a one-line reason (or cut off within a bound), and the real client's
 * scrapes carry on unaffected.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, type HttpMessage, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, connectRaw, type RawConnection, rawExchange } from "../support/raw_http.ts";
import { listedClients, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { pollRequest, scrapeInFlight as takeScrape } from "../support/raw_poller.ts";

/** The proxy's limit for pushed bodies in this file, small enough to exceed cheaply. */
const MAX_BODY_BYTES = 1024;

/** A POST /push whose body is `inner`, the serialized scrape response. */
function pushRequest(inner: string): string {
  return `POST /push HTTP/1.1\r\nHost: proxy\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`;
}

/** A POST /poll for `fqdn`, as upstream's Go client sends it (no idle answers asked for). */

/** Asserts a refusal an operator can read: a non-empty reason on one line. */
function assertOneLineReason(response: HttpMessage): void {
  const reason = bodyText(response).trimEnd();
  assert.notEqual(reason, "", `${response.startLine} came without a reason in its body`);
  assert.ok(!reason.includes("\n"), `the reason spans several lines:\n${reason}`);
  assert.ok(reason.length < 300, `the reason is ${reason.length} characters long:\n${reason}`);
}

describe(`bad pushes and polls (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;

  before(async () => {
    proxy = await h.startProxy([`--scrape.max-body-size=${MAX_BODY_BYTES}B`]);
    target = await h.startStaticTarget();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
  });
  after(() => h.cleanup());

  const push = (inner: string) => rawExchange(proxy.port, pushRequest(inner), 5000);
  const scrape = (url: string, timeoutSeconds = "5") =>
    rawExchange(
      proxy.port,
      absoluteFormGet(url, [["X-Prometheus-Scrape-Timeout-Seconds", timeoutSeconds]]),
      15_000,
    );

  const scrapeInFlight = (fqdn: string) => takeScrape(proxy, fqdn, scrape);

  it("answers a push for an unknown scrape id with 404 within 100 ms, naming the id", async () => {
    const started = performance.now();
    const response = await push(
      "HTTP/1.1 200 OK\r\nId: no-such-scrape-4711\r\nContent-Length: 5\r\n\r\nhello",
    );
    const elapsed = performance.now() - started;
    assert.equal(statusOf(response), 404, bodyText(response));
    assert.match(bodyText(response), /no-such-scrape-4711/);
    assertOneLineReason(response);
    assert.ok(elapsed < 100, `answered after ${elapsed.toFixed(0)} ms`);
  });

  it("refuses a push with a malformed status line with 400 and a one-line reason", async () => {
    const response = await push("HTTP/1.1 OK\r\nId: x\r\nContent-Length: 5\r\n\r\nhello");
    assert.equal(statusOf(response), 400, bodyText(response));
    assert.match(bodyText(response), /status line/);
    assertOneLineReason(response);
  });

  it("refuses a push whose Content-Length is not a number with 400 and a one-line reason", async () => {
    const response = await push("HTTP/1.1 200 OK\r\nId: x\r\nContent-Length: five\r\n\r\nhello");
    assert.equal(statusOf(response), 400, bodyText(response));
    assert.match(bodyText(response), /Content-Length/);
    assertOneLineReason(response);
  });

  it("refuses a pushed head over the 64 KiB header limit with 413 and a one-line reason", async () => {
    const response = await push(`HTTP/1.1 200 OK\r\nId: x\r\nX-Padding: ${"a".repeat(70_000)}\r\n\r\n`);
    assert.equal(statusOf(response), 413, bodyText(response));
    assert.match(bodyText(response), /head exceeds \d+ bytes/);
    assertOneLineReason(response);
  });

  it("refuses a push request whose own headers exceed the header limit with 431 and its reason", async () => {
    const response = await rawExchange(
      proxy.port,
      `POST /push HTTP/1.1\r\nHost: proxy\r\nX-Padding: ${"a".repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`,
      5000,
    );
    // The HTTP server refuses this before our handler runs: its reason is the status line's phrase.
    assert.match(response.startLine, /^HTTP\/1\.1 431 \S/);
  });

  it("answers a push that declares more than --scrape.max-body-size with 413 naming the limit, and fails its scrape", async () => {
    const { id, answer } = await scrapeInFlight("oversized.pushprox.test");
    const response = await push(`HTTP/1.1 200 OK\r\nId: ${id}\r\nContent-Length: 2048\r\n\r\n`);
    assert.equal(statusOf(response), 413, bodyText(response));
    assert.match(bodyText(response), new RegExp(`\\b${MAX_BODY_BYTES}\\b`));
    assertOneLineReason(response);
    const seen = await answer;
    assert.equal(statusOf(seen), 502, bodyText(seen));
    assert.match(bodyText(seen), /2048 bytes exceeds --scrape.max-body-size/);
  });

  it("refuses a pushed body with a garbage chunk size with 400, never relaying it as a whole 200", async () => {
    const { id, answer } = await scrapeInFlight("chunky.pushprox.test");
    const response = await push(
      `HTTP/1.1 200 OK\r\nId: ${id}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
    );
    assert.equal(statusOf(response), 400, bodyText(response));
    assert.match(bodyText(response), /chunk/i);
    assertOneLineReason(response);
    // Prometheus may see a cut-off response or an error, but never a complete success.
    const seen = await answer.then(
      (message) => `${message.startLine} with body ${JSON.stringify(bodyText(message))}`,
      (error: Error) => `no whole response (${error.message})`,
    );
    assert.doesNotMatch(seen, /^HTTP\/1\.1 2\d\d /, `the scraper got ${seen}`);
  });

  it("fails a scrape whose result is over the proxy's --scrape.max-body-size at once, naming the limit", async () => {
    const large = await h.startStaticTarget({ body: `# ${"x".repeat(2 * MAX_BODY_BYTES)}\n` });
    const started = performance.now();
    const response = await scrape(`http://127.0.0.1:${large.port}/metrics`, "5");
    const elapsed = performance.now() - started;
    assert.notEqual(statusOf(response), 200);
    assert.match(
      bodyText(response),
      new RegExp(`\\b${MAX_BODY_BYTES}\\b`),
      `${response.startLine}: ${bodyText(response)}`,
    );
    assert.ok(elapsed < 2000, `answered after ${elapsed.toFixed(0)} ms (scrape timeout 5 s)`);
  });

  it("still scrapes the real client with 200 and the target's body after all of that", async () => {
    const response = await scrape(`http://127.0.0.1:${target.port}/metrics`);
    assert.equal(statusOf(response), 200, `${bodyText(response)}\n${h.logs()}`);
    assert.equal(bodyText(response), target.body);
  });

  it("refuses a poll for a 300-character FQDN with 400 naming the length", async () => {
    const response = await rawExchange(proxy.port, pollRequest("a".repeat(300)), 5000);
    assert.equal(statusOf(response), 400, bodyText(response));
    assert.match(bodyText(response), /300 characters/);
    assertOneLineReason(response);
  });

  it('refuses a poll for "bad host!" with 400 naming the FQDN and its characters', async () => {
    const response = await rawExchange(proxy.port, pollRequest("bad host!"), 5000);
    assert.equal(statusOf(response), 400, bodyText(response));
    assert.match(bodyText(response), /bad host!.*characters/);
    assertOneLineReason(response);
    assert.ok(!(await listedClients(proxy.url)).includes("bad host!"), "the bad FQDN was listed in /clients");
  });

  describe("stalled senders", () => {
    // The bound comes from the proxy's code: the HTTP server drops a request whose head has not arrived
    // after headersTimeout (10 s, src/http/server/node_server.ts) and a poll body that stalls for 10 s is
    // answered 408 (src/proxy/poll_handler.ts). A push body has no bound of its own there; 10 s is the
    // same promise. The slack covers servers that check their timers only every few seconds.
    const BOUND_MS = 10_000 + 4_000;
    const outcomes = new Map<string, Promise<string>>();

    /** What became of a connection within BOUND_MS: "answered <status line>", "closed" or "still open". */
    async function fate(connection: RawConnection): Promise<string> {
      const started = performance.now();
      const took = () => `after ${((performance.now() - started) / 1000).toFixed(1)} s`;
      try {
        const response = await connection.read("response", BOUND_MS);
        return `answered ${response.startLine} ${took()}: ${bodyText(response).trim()}`;
      } catch {
        return connection.reader.ended ? `closed ${took()}` : `still open ${took()}`;
      } finally {
        connection.close();
      }
    }

    // All three stall at once, so the wait is paid once.
    before(async () => {
      const stalls: Array<[string, string]> = [
        ["head", "POST /poll HTTP/1.1\r\nHost: proxy\r\nContent-Length: 13\r\n"],
        ["poll body", "POST /poll HTTP/1.1\r\nHost: proxy\r\nContent-Length: 13\r\n\r\n"],
        ["push body", "POST /push HTTP/1.1\r\nHost: proxy\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\n"],
      ];
      for (const [name, bytes] of stalls) {
        const connection = await connectRaw(proxy.port);
        await connection.write(bytes);
        outcomes.set(name, fate(connection));
      }
    });

    it("drops a request whose head stops half-way within 10 s (+4 s slack)", async () => {
      assert.match(await outcomes.get("head")!, /^(answered HTTP\/1\.1 4\d\d|closed)/);
    });

    it("answers a poll whose body never comes with 408 within 10 s (+4 s slack)", async () => {
      assert.match(await outcomes.get("poll body")!, /^answered HTTP\/1\.1 408 /);
    });

    it("answers or drops a push whose body stops half-way within 10 s (+4 s slack)", async () => {
      assert.match(await outcomes.get("push body")!, /^(answered HTTP\/1\.1 4\d\d|closed)/);
    });
  });
});
