import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.ts";

describe("parseDuration()", () => {
  it("parseDuration() reads every unit Go accepts", () => {
    assert.equal(parseDuration("300ms"), 300);
    assert.equal(parseDuration("15s"), 15_000);
    assert.equal(parseDuration("5m"), 300_000);
    assert.equal(parseDuration("2h"), 7_200_000);
    assert.equal(parseDuration("10us"), 0.01);
    assert.equal(parseDuration("10\u00b5s"), 0.01);
    assert.equal(parseDuration("10\u03bcs"), 0.01);
    assert.equal(parseDuration("2000000ns"), 2);
  });

  it("parseDuration() adds up compound durations and fractions", () => {
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1m30.5s"), 90_500);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration(".5s"), 500);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("0.1s"), 100);
  });

  it("parseDuration() accepts a bare 0 and zero with a unit", () => {
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("0s"), 0);
    assert.equal(parseDuration("+5s"), 5000);
  });

  it("parseDuration() rejects an empty value", () => {
    assert.throws(() => parseDuration(""), {
      name: "SyntaxError",
      message: /^Cannot parse duration "": value is empty/,
    });
  });

  it("parseDuration() rejects a missing unit", () => {
    assert.throws(() => parseDuration("5"), {
      name: "SyntaxError",
      message: /^Cannot parse duration "5": missing unit/,
    });
    assert.throws(() => parseDuration("1h30"), { name: "SyntaxError", message: /missing unit after "30"/ });
  });

  it("parseDuration() rejects an unknown unit and lists the known ones", () => {
    assert.throws(() => parseDuration("5d"), {
      name: "SyntaxError",
      message: 'Cannot parse duration "5d": unknown unit "d"; units are ns, us, ms, s, m, h',
    });
    assert.throws(() => parseDuration("5 s"), { name: "SyntaxError", message: /unknown unit " s"/ });
  });

  it("parseDuration() rejects text that is not a duration", () => {
    assert.throws(() => parseDuration("banana"), {
      name: "SyntaxError",
      message: 'Cannot parse duration "banana": expected a number followed by a unit such as 15s, 5m, 1h30m',
    });
    assert.throws(() => parseDuration("s"), SyntaxError);
    assert.throws(() => parseDuration("."), SyntaxError);
  });

  it("parseDuration() rejects negative and absurdly long durations with a RangeError", () => {
    assert.throws(() => parseDuration("-5s"), { name: "RangeError", message: /cannot be negative/ });
    assert.throws(() => parseDuration("3000000h"), { name: "RangeError", message: /longer than/ });
  });
});

describe("formatDuration()", () => {
  it("formatDuration() writes compact Go-style durations", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(0.01), "10us");
    assert.equal(formatDuration(300), "300ms");
    assert.equal(formatDuration(1500), "1.5s");
    assert.equal(formatDuration(15_000), "15s");
    assert.equal(formatDuration(300_000), "5m");
    assert.equal(formatDuration(5_400_000), "1h30m");
    assert.equal(formatDuration(90_500), "1m30.5s");
    assert.equal(formatDuration(3_600_000 + 1), "1h0.001s");
  });

  it("formatDuration() output parses back to the same value", () => {
    for (const ms of [0, 0.5, 1, 999, 1000, 1001, 61_000, 3_599_999, 86_400_000, 123_456.789]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, `round trip of ${ms}`);
    }
  });

  it("formatDuration() rejects negative and non-finite input", () => {
    assert.throws(() => formatDuration(-1), RangeError);
    assert.throws(() => formatDuration(Infinity), RangeError);
    assert.throws(() => formatDuration(NaN), RangeError);
  });
});
