import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalHeaderKey,
  isFieldValue,
  isToken,
  parseHeaderLine,
  trimOws,
  WELL_KNOWN_HEADER_KEYS,
} from "./http_syntax.ts";
import { WireError } from "./types.ts";

describe("canonicalHeaderKey()", () => {
  it("writes names the way Go shows them", () => {
    assert.equal(
      canonicalHeaderKey("x-prometheus-scrape-timeout-seconds"),
      "X-Prometheus-Scrape-Timeout-Seconds",
    );
    assert.equal(canonicalHeaderKey("id"), "Id");
    assert.equal(canonicalHeaderKey("CONTENT-TYPE"), "Content-Type");
    assert.equal(canonicalHeaderKey("www-authenticate"), "Www-Authenticate");
    assert.equal(canonicalHeaderKey("x--a-1b"), "X--A-1b");
  });

  it("gives the names most scrapes carry the same key in any case", () => {
    // Lower case and canonical case come from a table; other spellings go through the rule, so a name
    // miswritten in the table would come out differently.
    for (const key of WELL_KNOWN_HEADER_KEYS) {
      assert.equal(canonicalHeaderKey(key.toUpperCase()), key);
      assert.equal(canonicalHeaderKey(key.toLowerCase()), key);
      assert.equal(canonicalHeaderKey(key), key);
    }
  });

  it("leaves a name that is not a token unchanged, as Go does", () => {
    assert.equal(canonicalHeaderKey("bad name"), "bad name");
    assert.equal(canonicalHeaderKey("x-caf\u00e9"), "x-caf\u00e9");
  });
});

describe("isToken() and isFieldValue()", () => {
  it("isToken() accepts methods and header names and refuses separators", () => {
    assert.ok(isToken("GET"));
    assert.ok(isToken("X-Foo_bar.baz~1"));
    for (const bad of ["", "a b", "a:b", "a\u0000", "(x)", "caf\u00e9"]) {
      assert.equal(isToken(bad), false, bad);
    }
  });

  it("isFieldValue() accepts text, tabs and obs-text and refuses control characters", () => {
    assert.ok(isFieldValue("text/plain; q=0.5\tx \u00ff"));
    for (const bad of ["a\rb", "a\nb", "a\u0000b", "a\u007fb", "\u0100"]) {
      assert.equal(isFieldValue(bad), false, bad);
    }
  });
});

describe("parseHeaderLine()", () => {
  it("splits name and value and strips optional whitespace around the value", () => {
    assert.deepEqual(parseHeaderLine("Content-Type: \t text/plain \t"), ["Content-Type", "text/plain"]);
    assert.deepEqual(parseHeaderLine("x-lower:v:w"), ["x-lower", "v:w"]);
    assert.deepEqual(parseHeaderLine("Content-Type:"), ["Content-Type", ""]);
  });

  it("rejects a line without a colon, naming it", () => {
    assert.throws(
      () => parseHeaderLine("garbage"),
      (e) => e instanceof WireError && e.reason === "malformed" && /"garbage": no colon/.test(e.message),
    );
  });

  it("rejects spaces before the colon, folded lines and empty names", () => {
    for (const line of ["Host : x", " folded: x", "\tfolded", ": x"]) {
      assert.throws(() => parseHeaderLine(line), WireError, line);
    }
  });

  it("rejects control characters in the value", () => {
    assert.throws(() => parseHeaderLine("X: a\u0000b"), /invalid character in value/);
    assert.throws(() => parseHeaderLine("X: a\rb"), /invalid character in value/);
  });

  it("stays fast on a value of 60,000 spaces", () => {
    const started = performance.now();
    assert.deepEqual(parseHeaderLine(`X:${" ".repeat(60_000)}y${" ".repeat(60_000)}`), ["X", "y"]);
    assert.ok(performance.now() - started < 1000);
  });
});

describe("trimOws()", () => {
  it("strips spaces and tabs only", () => {
    assert.equal(trimOws(" \t a b \t "), "a b");
    assert.equal(trimOws("\u00a0x\u00a0"), "\u00a0x\u00a0");
  });
});
