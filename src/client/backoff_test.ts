import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createBackoff } from "./backoff.ts";

/** random() that returns 0.5: no jitter at all, so the nominal sequence shows. */
const middle = () => 0.5;

describe("createBackoff()", () => {
  it("createBackoff() grows by 1.5 per failure up to the max", () => {
    const backoff = createBackoff({ initialMs: 1000, maxMs: 5000, random: middle });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    assert.deepEqual(delays, [1000, 1500, 2250, 3375, 5000, 5000]);
  });

  it("createBackoff() starts again from the initial wait after reset()", () => {
    const backoff = createBackoff({ initialMs: 1000, maxMs: 5000, random: middle });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.next(), 1000);
  });

  it("createBackoff() spreads delays by +-20% of the nominal wait", () => {
    const low = createBackoff({ initialMs: 1000, maxMs: 5000, random: () => 0 });
    const high = createBackoff({ initialMs: 1000, maxMs: 5000, random: () => 0.999999 });
    assert.equal(low.next(), 800);
    assert.equal(high.next(), 1200);
  });

  it("createBackoff() never lets jitter push a delay above the max", () => {
    const backoff = createBackoff({ initialMs: 1000, maxMs: 5000, random: () => 0.999999 });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    assert.ok(delays.every((d) => d <= 5000), `delays ${delays} exceed 5000`);
    assert.equal(delays.at(-1), 5000);
  });

  it("createBackoff() caps the first delay when the max is below the initial wait", () => {
    const backoff = createBackoff({ initialMs: 10_000, maxMs: 2000, random: middle });
    assert.equal(backoff.next(), 2000);
  });

  it("createBackoff() rejects a negative wait", () => {
    assert.throws(() => createBackoff({ initialMs: -1, maxMs: 5000, random: middle }), RangeError);
  });
});
