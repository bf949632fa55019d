import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createFakeClock } from "../time/fake_clock.ts";
import { ScrapeDeadline } from "./scrape_deadline.ts";

const LIMITS = { timeoutMs: 1000, budgetMs: 900 };

describe("ScrapeDeadline", () => {
  it("cuts a target that has not answered at the budget, then gives the error push the time left", async () => {
    const clock = createFakeClock();
    const deadline = new ScrapeDeadline(clock, LIMITS, new AbortController().signal);
    const targetSignal = deadline.signal;

    await clock.advance(899);
    assert.equal(targetSignal.aborted, false);
    await clock.advance(1);
    assert.equal(targetSignal.aborted, true, "the target's exchange ends at the budget");
    assert.equal(deadline.budgetPassed, true);

    const pushSignal = deadline.signal;
    assert.notEqual(pushSignal, targetSignal);
    assert.equal(pushSignal.aborted, false, "the error push still has 100 ms");
    await clock.advance(99);
    assert.equal(pushSignal.aborted, false);
    await clock.advance(1);
    assert.equal(pushSignal.aborted, true);
    assert.equal((pushSignal.reason as DOMException).name, "TimeoutError");
    assert.equal(clock.pending(), 0);
  });

  it("lets an answered target's body stream past the budget, up to the full timeout", async () => {
    const clock = createFakeClock();
    const deadline = new ScrapeDeadline(clock, LIMITS, new AbortController().signal);
    const signal = deadline.signal;
    await clock.advance(10);
    deadline.targetDone();

    await clock.advance(980);
    assert.equal(signal.aborted, false, "the budget bounds only the wait for the head");
    assert.equal(deadline.budgetPassed, false);
    assert.equal(deadline.signal, signal);
    await clock.advance(10);
    assert.equal(signal.aborted, true);
    assert.match(String(signal.reason), /scrape timeout reached/);
  });

  it("aborts at shutdown with the shutdown's reason, also after the budget replaced the signal", async () => {
    const clock = createFakeClock();
    const shutdown = new AbortController();
    const deadline = new ScrapeDeadline(clock, LIMITS, shutdown.signal);
    await clock.advance(900);
    shutdown.abort(new Error("SIGTERM"));
    assert.equal(deadline.signal.aborted, true);
    assert.match(String(deadline.signal.reason), /SIGTERM/);
    deadline.cancel();
    assert.equal(clock.pending(), 0);
  });

  it("starts aborted when shutdown already happened, with no timer", () => {
    const clock = createFakeClock();
    const shutdown = new AbortController();
    shutdown.abort(new Error("SIGINT"));
    const deadline = new ScrapeDeadline(clock, LIMITS, shutdown.signal);
    assert.equal(deadline.signal.aborted, true);
    assert.equal(clock.pending(), 0);
  });

  it("abort() ends what uses the signal now; cancel() leaves no timer and no shutdown listener", async () => {
    const clock = createFakeClock();
    const shutdown = new AbortController();
    const first = new ScrapeDeadline(clock, LIMITS, shutdown.signal);
    first.abort(new Error("push failed"));
    assert.match(String(first.signal.reason), /push failed/);

    const second = new ScrapeDeadline(clock, LIMITS, shutdown.signal);
    second.targetDone();
    second.cancel();
    assert.equal(clock.pending(), 0);
    shutdown.abort();
    await clock.advance(2000);
    assert.equal(second.signal.aborted, false, "a cancelled deadline never fires");
  });
});
