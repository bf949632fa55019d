import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseBytes } from "./bytes.ts";

describe("parseBytes()", () => {
  it("parseBytes() reads binary units as powers of 1024", () => {
    assert.equal(parseBytes("128MiB"), 134_217_728);
    assert.equal(parseBytes("1KiB"), 1024);
    assert.equal(parseBytes("2GiB"), 2_147_483_648);
    assert.equal(parseBytes("1TiB"), 2 ** 40);
  });

  it("parseBytes() reads decimal units as powers of 1000", () => {
    assert.equal(parseBytes("10KB"), 10_000);
    assert.equal(parseBytes("5MB"), 5_000_000);
    assert.equal(parseBytes("1GB"), 1_000_000_000);
    assert.equal(parseBytes("7B"), 7);
  });

  it("parseBytes() treats a plain integer as bytes and accepts 0", () => {
    assert.equal(parseBytes("4096"), 4096);
    assert.equal(parseBytes("0"), 0);
  });

  it("parseBytes() ignores the case of units and allows fractions with a unit", () => {
    assert.equal(parseBytes("128mib"), 134_217_728);
    assert.equal(parseBytes("1.5KiB"), 1536);
    assert.equal(parseBytes("4.35KB"), 4350);
  });

  it("parseBytes() rejects empty, negative, unknown units and fractional bytes", () => {
    assert.throws(() => parseBytes(""), {
      name: "SyntaxError",
      message: /^Cannot parse size "": value is empty/,
    });
    assert.throws(() => parseBytes("-1MiB"), { name: "SyntaxError", message: /^Cannot parse size "-1MiB"/ });
    assert.throws(() => parseBytes("12XB"), { name: "SyntaxError", message: /unknown unit "XB"/ });
    assert.throws(() => parseBytes("1.5"), { name: "SyntaxError", message: /whole number of bytes/ });
    assert.throws(() => parseBytes("MiB"), SyntaxError);
    assert.throws(() => parseBytes("1 MiB"), SyntaxError);
  });

  it("parseBytes() rejects sizes beyond exact integers", () => {
    assert.throws(() => parseBytes("999999999TiB"), { name: "RangeError", message: /too large/ });
  });
});
