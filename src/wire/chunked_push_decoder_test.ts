import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChunkedPushDecoder, type DecodedPiece } from "./chunked_push_decoder.ts";
import { WireError } from "./types.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const text = (pieces: Uint8Array[]) => pieces.map((p) => new TextDecoder().decode(p)).join("");
/** `decoder.push(bytes)`, throwing the error it reports, so a refusal reads as one. */
function push(decoder: ChunkedPushDecoder, bytes: Uint8Array): DecodedPiece {
  const result = decoder.push(bytes);
  if (result.error !== null) throw result.error;
  return result;
}

describe("ChunkedPushDecoder", () => {
  it("push() reports a break with the data decoded before it and where it stopped", () => {
    const result = new ChunkedPushDecoder().push(enc("3\r\nabc\r\n0x5\r\nhello\r\n"));
    assert.equal(text(result.data), "abc");
    assert.equal(result.consumed, 9);
    assert.equal(result.done, false);
    assert.ok(result.error instanceof WireError && result.error.reason === "malformed", String(result.error));
  });

  it("push() decodes a body and stops at its end, leaving the next request's bytes", () => {
    const decoder = new ChunkedPushDecoder();
    const input = enc("3\r\nabc\r\na;ext=1\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nGET / HTTP/1.1");
    const result = push(decoder, input);
    assert.equal(text(result.data), "abc0123456789");
    assert.equal(result.done, true);
    assert.equal(new TextDecoder().decode(input.subarray(result.consumed)), "GET / HTTP/1.1");
  });

  it("push() gives the same body when bytes arrive one at a time", () => {
    const decoder = new ChunkedPushDecoder();
    const input = enc("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    const data: Uint8Array[] = [];
    for (let i = 0; i < input.length; i++) data.push(...push(decoder, input.subarray(i, i + 1)).data);
    assert.equal(text(data), "hello world");
    assert.equal(decoder.done, true);
  });

  it("push() refuses bare LF line ends anywhere in the framing", () => {
    for (
      const wire of ["2\nhi\r\n0\r\n\r\n", "2\r\nhi\n0\r\n\r\n", "2\r\nhi\r\n0\n\r\n", "2\r\nhi\r\n0\r\n\n"]
    ) {
      assert.throws(() => push(new ChunkedPushDecoder(), enc(wire)), /LF without CR/, JSON.stringify(wire));
    }
  });

  it("push() refuses the size lines a hostile sender tries: 0x5, +5, 5junk, a space after the size, too many digits", () => {
    for (const line of ["0x5", "+5", "5junk", "5 ", "5\t", "1".repeat(14)]) {
      assert.throws(
        () => push(new ChunkedPushDecoder(), enc(`${line}\r\nhello\r\n0\r\n\r\n`)),
        (e) => e instanceof WireError && e.reason === "malformed",
        JSON.stringify(line),
      );
    }
  });

  it("push() rejects a size line that is not hex", () => {
    assert.throws(
      () => push(new ChunkedPushDecoder(), enc("zz\r\n")),
      (e) => e instanceof WireError && /size line/.test(e.message),
    );
  });

  it("push() rejects chunk data longer than its size", () => {
    assert.throws(() => push(new ChunkedPushDecoder(), enc("2\r\nabc\r\n")), /longer than its size/);
  });

  it("push() rejects a trailer section past its limit", () => {
    const decoder = new ChunkedPushDecoder(10);
    assert.throws(
      () => push(decoder, enc("0\r\nX-Long: aaaaaaaaaaaaaaaa\r\n\r\n")),
      /trailer section exceeds 10 bytes/,
    );
  });

  it("push() rejects a bare CR in a size line, also when the CR ends one piece", () => {
    assert.throws(() => push(new ChunkedPushDecoder(), enc("1\r0\r\n")), /CR without LF/);
    const decoder = new ChunkedPushDecoder();
    push(decoder, enc("1\r"));
    assert.throws(() => push(decoder, enc("0\r\n")), /CR without LF/);
  });

  it("push() rejects a bare CR where the CRLF after chunk data belongs", () => {
    assert.throws(() => push(new ChunkedPushDecoder(), enc("1\r\na\r\r\n0\r\n\r\n")), /CR without LF/);
  });

  it("push() accepts whitespace before an extension but rejects other text after the size", () => {
    const result = push(new ChunkedPushDecoder(), enc("5 \t;a=b\r\nhello\r\n0\r\n\r\n"));
    assert.equal(text(result.data), "hello");
    assert.throws(
      () => push(new ChunkedPushDecoder(), enc("5 5\r\n")),
      /unexpected byte 0x35 in a size line/,
    );
    assert.throws(() => push(new ChunkedPushDecoder(), enc(" 5\r\n")), /unexpected byte 0x20/);
  });

  it("push() rejects control bytes in an extension or a trailer", () => {
    assert.throws(
      () => push(new ChunkedPushDecoder(), enc("3;a\x00b\r\n")),
      /control byte 0x0 in a chunk extension/,
    );
    assert.throws(
      () => push(new ChunkedPushDecoder(), enc("0\r\nX-T: a\x01\r\n\r\n")),
      /control byte 0x1 in a trailer/,
    );
  });

  it("push() reads trailer lines as header fields, as chunkedSource does", () => {
    const result = push(new ChunkedPushDecoder(), enc("2\r\nok\r\n0\r\nX-T: 1\r\nX-Empty:\r\n\r\n"));
    assert.deepEqual([text(result.data), result.done], ["ok", true]);
    for (const trailer of ["fffffffffffff", "X T: 1", ": 1", "X-T 1"]) {
      assert.throws(
        () => push(new ChunkedPushDecoder(), enc(`0\r\n${trailer}\r\n\r\n`)),
        (error: unknown) => error instanceof WireError && /trailer/.test(error.message),
        trailer,
      );
    }
  });
});
