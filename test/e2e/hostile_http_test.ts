/**
 * A hostile peer at a real proxy, on whichever server the run selects (our Bun server, node:http under
 * `PUSHPROX_BUN_SERVER=node`, node:http under Deno): heads with thousands of header names, chunked bodies
 * a parser could read two ways, a Host header that tries to pick the route, framing the server does not
 * implement, a body trickled in forever. Each gets a prompt 4xx with a one-line reason (or a closed
 * connection), and a real client's scrapes carry on.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, type HttpMessage, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, connectRaw, type RawConnection, rawExchange } from "../support/raw_http.ts";
import { listedClients, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { sleep, waitFor } from "../support/wait.ts";
import { scrapeInFlight as takeScrape } from "../support/raw_poller.ts";

/** `count` distinct header lines, about 9 bytes each: 6,000 fit in the proxy's 64 KiB head limit. */
function manyHeaders(count: number): string {
  let lines = "";
  for (let i = 0; i < count; i++) lines += `h${i}:1\r\n`;
  return lines;
}

/** What a connection came to: the response, or "closed" / "open" when none came within `ms`. */
async function outcome(connection: RawConnection, ms: number): Promise<HttpMessage | "closed" | "open"> {
  try {
    return await connection.read("response", ms);
  } catch {
    return connection.reader.ended ? "closed" : "open";
  }
}

/** Asserts an answer with `status` and a reason on one line matching `reason`. */
function assertRefused(response: HttpMessage | string, status: number, reason: RegExp): void {
  assert.ok(typeof response !== "string", `no answer: the connection was ${response}`);
  assert.equal(statusOf(response), status, `${response.startLine}: ${bodyText(response)}`);
  const text = bodyText(response).trimEnd();
  assert.match(text, reason);
  assert.ok(!text.includes("\n"), `the reason spans several lines:\n${text}`);
}

describe(`hostile HTTP at the proxy (${selectedImplementation()}, ${process.env.PUSHPROX_BUN_SERVER ?? "default"} server)`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;

  before(async () => {
    proxy = await h.startProxy();
    target = await h.startStaticTarget();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
  });
  after(() => h.cleanup());

  const scrape = (url: string) =>
    rawExchange(proxy.port, absoluteFormGet(url, [["X-Prometheus-Scrape-Timeout-Seconds", "10"]]), 15_000);

  const scrapeInFlight = (fqdn: string) => takeScrape(proxy, fqdn, scrape);

  it("refuses a request head with 6,000 header names with 431, naming the 200-field limit", async () => {
    const response = await rawExchange(
      proxy.port,
      `GET /clients HTTP/1.1\r\nHost: p\r\n${manyHeaders(6000)}\r\n`,
    );
    // node:http on Bun has a lower limit of its own, and refuses before our handler runs.
    assertRefused(response, 431, /200 header fields|Header overflow/);
  });

  it("still serves a request with 150 header fields", async () => {
    const response = await rawExchange(
      proxy.port,
      `GET /clients HTTP/1.1\r\nHost: p\r\n${manyHeaders(150)}\r\n`,
    );
    assert.equal(statusOf(response), 200, bodyText(response));
  });

  it("refuses a pushed head with 6,000 header names with 413, and fails its scrape with 502 at once", async () => {
    const { id, answer } = await scrapeInFlight("many-headers.pushprox.test");
    const inner = `HTTP/1.1 200 OK\r\nId: ${id}\r\n${manyHeaders(6000)}Content-Length: 2\r\n\r\nok`;
    const started = performance.now();
    const response = await rawExchange(
      proxy.port,
      `POST /push HTTP/1.1\r\nHost: proxy\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`,
    );
    assertRefused(response, 413, /6002 header fields, more than 200/);
    const seen = await answer;
    assert.equal(statusOf(seen), 502, bodyText(seen));
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `the scraper was answered after ${elapsed.toFixed(0)} ms (its timeout: 10 s)`);
  });

  for (
    const [name, sizeLine] of [
      ["0x5", "0x5\r\n"],
      ["+5", "+5\r\n"],
      ["5junk", "5junk\r\n"],
      ["an over-long size", `${"1".repeat(20)}\r\n`],
      ["a space after the size", "5 \r\n"],
      ["a bare LF", "5\n"],
    ]
  ) {
    it(`answers a push whose chunked framing has ${name} with 400 and closes the connection`, async () => {
      const connection = await connectRaw(proxy.port);
      try {
        await connection.write(
          `POST /push HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n${sizeLine}hello\r\n0\r\n\r\n`,
        );
        // node:http refuses these before our handler runs; under Deno it can tell only "Parse Error".
        assertRefused(await outcome(connection, 5000), 400, /chunk|Parse Error/i);
        assert.equal(await outcome(connection, 2000), "closed");
      } finally {
        connection.close();
      }
    });
  }

  it("fails the scrape with 502 at once when its chunked push breaks after the pushed head", async () => {
    const { id, answer } = await scrapeInFlight("broken-chunks.pushprox.test");
    const inner = `HTTP/1.1 200 OK\r\nId: ${id}\r\nContent-Length: 5\r\n\r\n`;
    const started = performance.now();
    const response = await rawExchange(
      proxy.port,
      `POST /push HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${inner.length.toString(16)}\r\n${inner}\r\n5junk\r\nhello\r\n0\r\n\r\n`,
    );
    assertRefused(response, 400, /chunk|Parse Error/i);
    const seen = await answer;
    assert.equal(statusOf(seen), 502, bodyText(seen));
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `the scraper was answered after ${elapsed.toFixed(0)} ms (its timeout: 10 s)`);
  });

  it("routes by the request line: Host: x/metrics? on GET /anything is refused, not served /metrics", async () => {
    const response = await rawExchange(proxy.port, "GET /anything HTTP/1.1\r\nHost: x/metrics?\r\n\r\n");
    assertRefused(response, 400, /Host/);
  });

  it("routes by the request line: POST /metrics with Host: x/poll? registers nobody", async () => {
    const fqdn = "smuggled.pushprox.test";
    const response = await rawExchange(
      proxy.port,
      `POST /metrics HTTP/1.1\r\nHost: x/poll?\r\nContent-Length: ${fqdn.length}\r\n\r\n${fqdn}`,
    );
    assertRefused(response, 400, /Host/);
    assert.ok(!(await listedClients(proxy.url)).includes(fqdn), `${fqdn} was registered`);
  });

  it("refuses a request with two Host headers with 400", async () => {
    const response = await rawExchange(proxy.port, "GET /clients HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertRefused(response, 400, /Host/);
  });

  it("refuses Transfer-Encoding: identity, chunked with 400 and answers no pipelined request after it", async () => {
    const connection = await connectRaw(proxy.port);
    try {
      await connection.write(
        "POST /push HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n" +
          "GET /clients HTTP/1.1\r\nHost: p\r\n\r\n",
      );
      assertRefused(await outcome(connection, 5000), 400, /Transfer-Encoding/);
      assert.equal(await outcome(connection, 2000), "closed");
    } finally {
      connection.close();
    }
  });

  it("closes a connection whose push body trickles in, within 3 s of its 408", async () => {
    const connection = await connectRaw(proxy.port);
    let trickling = true;
    try {
      // Larger than what is read whole before the handler runs: the push handler's own stall bound answers.
      await connection.write("POST /push HTTP/1.1\r\nHost: p\r\nContent-Length: 100000\r\n\r\nH");
      const trickle = (async () => {
        while (trickling && !connection.reader.ended) {
          await sleep(2000);
          if (trickling) await connection.write("T").catch(() => (trickling = false));
        }
      })();
      // The body has 10 s (the server's head timeout) to arrive; the slack covers coarse timers.
      assertRefused(await outcome(connection, 14_000), 408, /did not arrive/);
      const answered = performance.now();
      await waitFor(() => connection.reader.ended, { timeoutMs: 3000, what: "the connection to close" });
      assert.ok(performance.now() - answered < 3000);
      trickling = false;
      await trickle;
    } finally {
      trickling = false;
      connection.close();
    }
  });

  it("still scrapes the real client with 200 and the target's body after all of that", async () => {
    const response = await scrape(`http://127.0.0.1:${target.port}/metrics`);
    assert.equal(statusOf(response), 200, `${bodyText(response)}\n${h.logs()}`);
    assert.equal(bodyText(response), target.body);
  });
});
