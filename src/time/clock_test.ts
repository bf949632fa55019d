import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deadlineSignal, sleep } from "./clock.ts";
import { createFakeClock } from "./fake_clock.ts";

describe("sleep()", () => {
  it("sleep() resolves once the clock reaches the delay", async () => {
    const clock = createFakeClock();
    let woke = false;
    const slept = sleep(clock, 1000, new AbortController().signal).then(() => (woke = true));
    await clock.advance(999);
    assert.equal(woke, false);
    await clock.advance(1);
    await slept;
    assert.equal(woke, true);
  });

  it("sleep() ends early when the signal aborts, leaving no timer behind", async () => {
    const clock = createFakeClock();
    const stop = new AbortController();
    const slept = sleep(clock, 60_000, stop.signal);
    stop.abort();
    await slept;
    assert.equal(clock.pending(), 0);
  });
});

describe("deadlineSignal()", () => {
  it("deadlineSignal() aborts with the given reason at the deadline", async () => {
    const clock = createFakeClock();
    const deadline = deadlineSignal(clock, 500, new AbortController().signal, () => "late");
    await clock.advance(499);
    assert.equal(deadline.signal.aborted, false);
    await clock.advance(1);
    assert.equal(deadline.signal.reason, "late");
  });

  it("deadlineSignal() follows its parent's abort", () => {
    const clock = createFakeClock();
    const parent = new AbortController();
    const deadline = deadlineSignal(clock, 500, parent.signal, () => "late");
    parent.abort("shutdown");
    assert.equal(deadline.signal.reason, "shutdown");
    assert.equal(clock.pending(), 0);
  });

  it("deadlineSignal() makes its reason only when the deadline passes", async () => {
    const clock = createFakeClock();
    let made = 0;
    const reason = () => (made++, "late");
    deadlineSignal(clock, 500, new AbortController().signal, reason).cancel();
    const fired = deadlineSignal(clock, 500, new AbortController().signal, reason);
    await clock.advance(500);
    assert.deepEqual([made, fired.signal.reason], [1, "late"]);
  });

  it("deadlineSignal() never fires after cancel()", async () => {
    const clock = createFakeClock();
    const parent = new AbortController();
    const deadline = deadlineSignal(clock, 500, parent.signal, () => "late");
    deadline.cancel();
    await clock.advance(1000);
    parent.abort("shutdown");
    assert.equal(deadline.signal.aborted, false);
  });
});
