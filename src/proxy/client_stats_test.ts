import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientStats, MAX_ERROR_CHARS } from "./client_stats.ts";
import { Coordinator } from "./coordinator.ts";
import { FakeTimers } from "./fake_timers.ts";

describe("ClientStats", () => {
  it("scraped() counts outcomes, keeps the last error bounded, and clears failing on success", () => {
    const stats = new ClientStats(1000);
    stats.scraped("502 target unreachable", 2000);
    stats.scraped("x".repeat(5000), 3000);
    assert.equal(stats.failed, 2);
    assert.equal(stats.failing, true);
    assert.equal(stats.lastError!.length, MAX_ERROR_CHARS);
    assert.equal(stats.lastErrorAt, 3000);
    stats.scraped(null, 4000);
    assert.deepEqual([stats.succeeded, stats.failing, stats.lastErrorAt], [1, false, 3000]);
  });

  it("labelsFor() reuses the parsed labels while the header stays the same", () => {
    const stats = new ClientStats(0);
    const labels = stats.labelsFor("team=db");
    stats.polled({ labels: "team=db", userAgent: null }, labels, 10);
    assert.equal(stats.labelsFor("team=db"), labels);
    assert.deepEqual([...stats.labelsFor("team=web")], [["team", "web"]]);
  });
});

describe("Coordinator client records", () => {
  it("forgets a client's labels and scrape record with the client", () => {
    const timers = new FakeTimers();
    const coordinator = new Coordinator({
      timers,
      newId: () => "id",
      registrationTimeoutMs: 300_000,
      disconnectGraceMs: 1000,
      wallClock: () => 0,
    });
    const gone = new AbortController();
    void coordinator.poll("db1", {
      idleTimeoutMs: null,
      signal: gone.signal,
      announcement: { labels: "team=db", userAgent: null },
    });
    assert.deepEqual(coordinator.clients().map((client) => [client.fqdn, [...client.stats.labels]]), [
      ["db1", [["team", "db"]]],
    ]);
    gone.abort();
    timers.advance(1000);
    assert.deepEqual(coordinator.clients(), []);
    assert.equal(timers.armed, 0);
  });
});
