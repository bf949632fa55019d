/**
 * Bounds that keep a real proxy alive when a peer asks for more than it can give: connections past the
 * process's file descriptor limit, and registrations past --registration.max-clients.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import process from "node:process";
import { after, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, connectRaw, type RawConnection, rawExchange } from "../support/raw_http.ts";
import { listedClients, selectedImplementation } from "../support/pushprox.ts";
import { sleep, waitFor } from "../support/wait.ts";

const SERVER = `${selectedImplementation()}, ${process.env.PUSHPROX_BUN_SERVER ?? "default"} server`;

/** CPU seconds (user + system) process `pid` has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (name) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe(`the proxy at its file descriptor limit (${SERVER})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("stays idle while connections exceed ulimit -n 64, logs that once, and serves again once they close", async () => {
    const proxy = await h.startProxy([], { openFileLimit: 64 });
    const pid = proxy.process.pid!;
    const held: Socket[] = [];
    try {
      // Past the limit a connection is closed at once, or waits in the kernel's queue until it times out.
      const attempts = await Promise.allSettled(
        Array.from({ length: 150 }, () => connectRaw(proxy.port, 2000)),
      );
      for (const attempt of attempts) if (attempt.status === "fulfilled") held.push(attempt.value.socket);
      await sleep(500);
      const before = cpuSeconds(pid);
      const started = performance.now();
      await sleep(3000);
      const share = (cpuSeconds(pid) - before) / ((performance.now() - started) / 1000);
      // Spinning on accept() costs a whole core (or what a shared machine leaves of one).
      assert.ok(share < 0.15, `the proxy used ${(share * 100).toFixed(0)}% of a core while at its limit`);
    } finally {
      for (const socket of held) socket.destroy();
    }
    await waitFor(
      async () =>
        statusOf(await rawExchange(proxy.port, "GET /clients HTTP/1.1\r\nHost: p\r\n\r\n", 2000)) === 200,
      { timeoutMs: 10_000, what: "the proxy to serve again" },
    );
    await waitFor(() => proxy.logs().includes("Accepting connections again"), {
      timeoutMs: 5000,
      what: "the log line saying the episode ended",
    });
    const reached = proxy.logs().split("\n").filter((line) => line.includes("Connection limit reached"));
    assert.equal(reached.length, 1, `expected one log line for the episode:\n${proxy.logs()}`);
    assert.match(reached[0]!, /ulimit -n/);
  });
});

describe(`--registration.max-clients (${SERVER})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("refuses a poll for a new FQDN past the limit with 503 and a reason, counts it, and keeps scraping known clients", async () => {
    const proxy = await h.startProxy(["--registration.max-clients=2"]);
    const target = await h.startStaticTarget();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const pollers: RawConnection[] = [];
    const poll = async (fqdn: string) => {
      const poller = await connectRaw(proxy.port);
      pollers.push(poller);
      await poller.write(`POST /poll HTTP/1.1\r\nHost: p\r\nContent-Length: ${fqdn.length}\r\n\r\n${fqdn}`);
      return poller;
    };
    try {
      await poll("second.pushprox.test");
      await waitFor(async () => (await listedClients(proxy.url)).includes("second.pushprox.test"), {
        timeoutMs: 5000,
        what: "the second client in /clients",
      });
      const refused = await (await poll("third.pushprox.test")).read("response", 5000);
      assert.equal(statusOf(refused), 503, bodyText(refused));
      const reason = bodyText(refused).trimEnd();
      assert.match(reason, /third\.pushprox\.test.*2 clients/);
      assert.ok(!reason.includes("\n"), reason);
      assert.deepEqual((await listedClients(proxy.url)).sort(), ["127.0.0.1", "second.pushprox.test"]);

      const metrics = bodyText(await rawExchange(proxy.port, "GET /metrics HTTP/1.1\r\nHost: p\r\n\r\n"));
      assert.match(metrics, /^pushprox_proxy_registrations_refused_total 1$/m);

      const scraped = await rawExchange(
        proxy.port,
        absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
          "X-Prometheus-Scrape-Timeout-Seconds",
          "5",
        ]]),
        10_000,
      );
      assert.equal(statusOf(scraped), 200, `${bodyText(scraped)}\n${h.logs()}`);
      assert.equal(bodyText(scraped), target.body);
    } finally {
      for (const poller of pollers) poller.close();
    }
  });
});
