import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_REASON_PHRASE, toReasonPhrase } from "./reason_phrase.ts";

describe("toReasonPhrase()", () => {
  it("toReasonPhrase() keeps a short printable phrase as it is", () => {
    assert.equal(toReasonPhrase("OK"), "OK");
    assert.equal(
      toReasonPhrase("target unreachable: no such host h1.example.com"),
      "target unreachable: no such host h1.example.com",
    );
  });

  it("toReasonPhrase() turns CR, LF and other controls into single spaces, so the status line stays one line", () => {
    assert.equal(toReasonPhrase("a\r\nHTTP/1.1 200 OK\r\n\r\nb"), "a HTTP/1.1 200 OK b");
    assert.equal(toReasonPhrase("\ttab\u0000nul\u007fdel "), "tab nul del");
  });

  it("toReasonPhrase() replaces characters outside printable ASCII", () => {
    assert.equal(toReasonPhrase("d\u00e9lai \u2013 d\u00e9pass\u00e9"), "d lai d pass");
  });

  it("toReasonPhrase() cuts a long phrase at a word boundary and marks the cut", () => {
    const long = `no such host ${"word ".repeat(60)}`;
    const phrase = toReasonPhrase(long);
    assert.ok(phrase.length <= MAX_REASON_PHRASE, `${phrase.length} characters`);
    assert.match(phrase, /^no such host word( word)* word\.\.\.$/);
  });

  it("toReasonPhrase() cuts a long phrase without spaces at the limit", () => {
    const phrase = toReasonPhrase("x".repeat(500), 20);
    assert.equal(phrase, `${"x".repeat(17)}...`);
  });

  it("toReasonPhrase() gives an empty phrase for text with nothing printable", () => {
    assert.equal(toReasonPhrase("\r\n\u00e9"), "");
  });
});
