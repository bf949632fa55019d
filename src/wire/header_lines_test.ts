import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeHeaderLines, headersFromLines, sortByCanonicalKey, toHeaderLines } from "./header_lines.ts";

describe("headersFromLines()", () => {
  it("appends repeats and skips omitted names whatever their case", () => {
    const headers = headersFromLines(
      [["Id", "1"], ["X-Prometheus-Scrape-Timeout-Seconds", "5"], ["Vary", "a"], ["vary", "b"]],
      ["id", "X-PROMETHEUS-SCRAPE-TIMEOUT-SECONDS"],
    );
    assert.deepEqual([...headers], [["vary", "a, b"]]);
  });

  it("keeps obs-text bytes as they came", () => {
    assert.equal(headersFromLines([["X-Name", "caf\u00e9"]]).get("x-name"), "caf\u00e9");
  });
});

describe("toHeaderLines()", () => {
  it("turns Web Headers into canonical names and keeps line arrays as they are", () => {
    assert.deepEqual(toHeaderLines(new Headers({ "x-prometheus-scrape-timeout-seconds": "5" })), [
      ["X-Prometheus-Scrape-Timeout-Seconds", "5"],
    ]);
    assert.deepEqual(toHeaderLines([["x-a", "1"]]), [["x-a", "1"]]);
  });
});

describe("sortByCanonicalKey()", () => {
  it("sorts by canonical key in byte order and keeps the order of one key's values", () => {
    const sorted = sortByCanonicalKey([["x-b", "1"], ["Accept", "2"], ["X-A", "3"], ["accept", "4"], [
      "Id",
      "5",
    ]]);
    assert.deepEqual(sorted, [["Accept", "2"], ["Accept", "4"], ["Id", "5"], ["X-A", "3"], ["X-B", "1"]]);
  });
});

describe("encodeHeaderLines()", () => {
  it("writes one CRLF-terminated line per header", () => {
    assert.equal(encodeHeaderLines([["Id", "1"], ["Accept", " */* "]]), "Id: 1\r\nAccept: */*\r\n");
  });

  it("turns CR and LF in values into spaces so no second header can be smuggled in", () => {
    assert.equal(encodeHeaderLines([["X-A", "1\r\nInjected: yes"]]), "X-A: 1  Injected: yes\r\n");
  });

  it("refuses invalid names, NUL and non-byte characters", () => {
    assert.throws(() => encodeHeaderLines([["Bad Name", "x"]]), TypeError);
    assert.throws(() => encodeHeaderLines([["X", "a\u0000b"]]), TypeError);
    assert.throws(() => encodeHeaderLines([["X", "\u20ac"]]), TypeError);
  });
});
