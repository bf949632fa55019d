import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concatBytes, joinBytes, latin1Decode, latin1Encode, quoteExcerpt } from "./bytes_text.ts";

describe("latin1Decode() and latin1Encode()", () => {
  it("round-trip every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(latin1Encode(latin1Decode(all)), all);
  });

  it("latin1Decode() maps each byte to one character, also where the bytes would be valid UTF-8", () => {
    assert.equal(latin1Decode(latin1Encode("Id: 7\r\n")), "Id: 7\r\n");
    // "é" in UTF-8, U+FFFD in UTF-8, and a lone byte that is not UTF-8: each byte stays one character.
    assert.equal(latin1Decode(new Uint8Array([0x61, 0xc3, 0xa9])), "a\u00c3\u00a9");
    assert.equal(latin1Decode(new Uint8Array([0xef, 0xbf, 0xbd])), "\u00ef\u00bf\u00bd");
    assert.equal(latin1Decode(new Uint8Array([0x61, 0xe9, 0x62])), "a\u00e9b");
    assert.equal(latin1Decode(new Uint8Array(0)), "");
  });

  it("latin1Decode() handles inputs larger than one argument list", () => {
    assert.equal(latin1Decode(new Uint8Array(100_000).fill(0x61)).length, 100_000);
  });

  it("latin1Encode() refuses characters that are not bytes", () => {
    assert.throws(() => latin1Encode("Id: \u20ac"), TypeError);
  });
});

describe("quoteExcerpt()", () => {
  it("quotes and escapes control characters, quotes and backslashes", () => {
    assert.equal(quoteExcerpt("garbage"), '"garbage"');
    assert.equal(quoteExcerpt('a"b\\c\r\n\t\u0000\u00ff'), '"a\\"b\\\\c\\r\\n\\t\\x00\\xff"');
    assert.equal(quoteExcerpt(new Uint8Array([0x48, 0x0d, 0x0a])), '"H\\r\\n"');
  });

  it("cuts long input to 60 characters and says so", () => {
    const quoted = quoteExcerpt("x".repeat(10_000));
    assert.equal(quoted, `"${"x".repeat(60)}"...`);
    assert.equal(quoteExcerpt(new Uint8Array(10_000).fill(0x78)), quoted);
  });
});

describe("concatBytes()", () => {
  it("joins two arrays into a new one, and returns the first unchanged when the second is empty", () => {
    const a = latin1Encode("HTTP/1.1 200 OK\r\n");
    assert.equal(latin1Decode(concatBytes(a, latin1Encode("\r\n"))), "HTTP/1.1 200 OK\r\n\r\n");
    assert.equal(concatBytes(a, new Uint8Array(0)), a);
  });
});

describe("joinBytes()", () => {
  it("joins pieces in order, and hands back a lone piece as it is", () => {
    const pieces = ["HTTP/1.1 ", "200 OK", "\r\n"].map((text) =>
      latin1Encode(text) as Uint8Array<ArrayBuffer>
    );
    assert.equal(latin1Decode(joinBytes(pieces)), "HTTP/1.1 200 OK\r\n");
    assert.equal(joinBytes([pieces[1]!]), pieces[1]);
    assert.equal(joinBytes([]).length, 0);
  });
});
