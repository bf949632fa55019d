/**
 * Two real clients polling for the same FQDN. The documented policy (README, src/proxy/coordinator.ts):
 * they share its scrapes, the longest-waiting poll getting the next one, and neither is expired with a 408
 * (upstream's answer, after which its client misreads the 408 and backs off: scrapes fail in a ping-pong).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ClientHandle, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { sleep, waitFor } from "../support/wait.ts";

const SEQUENTIAL = 8;
const CONCURRENT = 12;

/** How many scrapes a client reports having pushed (a debug line per scrape). */
function pushedCount(client: ClientHandle): number {
  return client.process.stderr.split("\n").filter((line) => line.includes("Pushed scrape result")).length;
}

describe(`two clients with the same FQDN (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;
  const clients: ClientHandle[] = [];

  before(async () => {
    proxy = await h.startProxy();
    target = await h.startStaticTarget();
    for (let i = 0; i < 2; i++) {
      // The second one finds the FQDN listed already, so wait for its own start line, then its first poll.
      const client = await h.startClient([
        `--proxy-url=${proxy.url}`,
        "--fqdn=127.0.0.1",
        "--log.level=debug",
      ]);
      await waitFor(() => client.process.stderr.includes("Starting client"), {
        timeoutMs: 10_000,
        what: `client ${i + 1} to start`,
        details: () => client.logs(),
      });
      clients.push(client);
    }
    await sleep(300);
  });
  after(() => h.cleanup());

  const scrape = () =>
    rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );

  it(`serves ${SEQUENTIAL + CONCURRENT} scrapes, ${CONCURRENT} of them at once, all with 200 and the target's body, from both clients`, async () => {
    const failures: string[] = [];
    const check = (response: Awaited<ReturnType<typeof scrape>>, n: number) => {
      if (statusOf(response) !== 200 || bodyText(response) !== target.body) {
        failures.push(`scrape ${n}: ${response.startLine} ${bodyText(response).trim()}`);
      }
    };
    for (let n = 0; n < SEQUENTIAL; n++) check(await scrape(), n);
    const together = await Promise.all(Array.from({ length: CONCURRENT }, () => scrape()));
    together.forEach((response, i) => check(response, SEQUENTIAL + i));
    assert.deepEqual(failures, [], h.logs());
    assert.equal(target.requests.length, SEQUENTIAL + CONCURRENT, "the target was not asked once per scrape");

    // Each client logs a scrape once the proxy acknowledged its push, possibly just after the answer.
    const counts = await waitFor(() => {
      const counted = clients.map(pushedCount);
      return counted[0]! + counted[1]! === SEQUENTIAL + CONCURRENT && counted;
    }, { timeoutMs: 3000, what: "both clients' logs to account for every scrape", details: () => h.logs() });
    assert.ok(counts[0]! > 0 && counts[1]! > 0, `scrapes served per client: ${counts.join(" and ")}`);
  });

  it("has neither client warn or fail a poll (no 408 ping-pong)", () => {
    for (const client of clients) {
      const complaints = client.process.stderr.split("\n").filter((line) => /level=(warn|error)/.test(line));
      assert.deepEqual(complaints, [], client.logs());
    }
  });
});
