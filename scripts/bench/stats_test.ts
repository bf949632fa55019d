import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { quantile, summarize } from "./stats.ts";

describe("stats", () => {
  it("quantile() interpolates between the two middle samples for an even count", () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  });

  it("summarize() puts p99 of 1..100 just below the maximum, so one outlier cannot be the median", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    const summary = summarize(samples);
    assert.equal(summary.median, 50.5);
    assert.equal(summary.p99, 99.01);
    assert.equal(summary.max, 100);
    assert.equal(summary.count, 100);
  });

  it("summarize() handles half a million samples (a long soak run) without overflowing the stack", () => {
    const samples = Array.from({ length: 500_000 }, (_, i) => i % 1000);
    assert.equal(summarize(samples).max, 999);
  });

  it("summarize() rejects an empty list instead of reporting NaN", () => {
    assert.throws(() => summarize([]), RangeError);
  });

  it("quantile() rejects a quantile outside 0..1", () => {
    assert.throws(() => quantile([1], 99), /expected 0\.\.1/);
  });
});
