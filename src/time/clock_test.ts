import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "./clock.ts";
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
