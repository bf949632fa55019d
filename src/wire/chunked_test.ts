import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteReader } from "./byte_reader.ts";
import { chunkedSource, encodeChunk, lastChunk } from "./chunked.ts";
import { bytes, concat, streamOf, text } from "./_test_utils.ts";
import { WireError } from "./types.ts";

async function decode(wire: string, pieceSize?: number, maxTrailerBytes = 1024): Promise<string> {
  const reader = new ByteReader(streamOf(bytes(wire), pieceSize));
  const source = chunkedSource(reader, maxTrailerBytes);
  let out = "";
  for (let piece = await source(); piece !== null; piece = await source()) out += text(piece);
  return out;
}

function rejectsWith(reason: WireError["reason"], pattern: RegExp) {
  return (error: unknown) =>
    error instanceof WireError && error.reason === reason && pattern.test(error.message);
}

describe("encodeChunk() and lastChunk()", () => {
  it("encodeChunk() frames data with its size in hex", () => {
    assert.equal(text(encodeChunk(bytes("x".repeat(26)))), `1a\r\n${"x".repeat(26)}\r\n`);
  });

  it("encodeChunk() writes nothing for empty data, which would otherwise end the body", () => {
    assert.equal(encodeChunk(new Uint8Array(0)).length, 0);
  });

  it("lastChunk() ends a body with an empty trailer section", () => {
    assert.equal(text(lastChunk()), "0\r\n\r\n");
  });
});

describe("chunkedSource()", () => {
  it("decodes what encodeChunk() wrote, whatever the read sizes", async () => {
    const pieces = ["hello ", "chunked ", "x".repeat(300), "world"];
    const wire = text(concat(...pieces.map((piece) => encodeChunk(bytes(piece))), lastChunk()));
    for (const size of [1, 2, 7, 64, 10_000]) assert.equal(await decode(wire, size), pieces.join(""));
  });

  it("ignores chunk extensions and reads uppercase hex and leading zeros", async () => {
    assert.equal(
      await decode('0005;name="v"\r\nhello\r\nA ; x\r\n0123456789\r\n0;end\r\n\r\n'),
      "hello0123456789",
    );
  });

  it("refuses bare LF line ends anywhere in the framing", async () => {
    for (
      const wire of [
        "3\nabc\r\n0\r\n\r\n",
        "3\r\nabc\n0\r\n\r\n",
        "3\r\nabc\r\n0\n\r\n",
        "3\r\nabc\r\n0\r\nX: 1\n\r\n",
        "3\r\nabc\r\n0\r\n\n",
      ]
    ) {
      await assert.rejects(decode(wire), rejectsWith("malformed", /CRLF/), JSON.stringify(wire));
    }
  });

  it("refuses the size lines a hostile sender tries: 0x5, +5, 5junk, a space after the size, too many digits", async () => {
    for (const line of ["0x5", "+5", "5junk", "5 ", "5\t", "1".repeat(14)]) {
      await assert.rejects(
        decode(`${line}\r\nhello\r\n0\r\n\r\n`),
        rejectsWith("malformed", /chunk size/),
        JSON.stringify(line),
      );
    }
  });

  it("reads and drops trailers", async () => {
    assert.equal(await decode("2\r\nok\r\n0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n"), "ok");
  });

  it("rejects a chunk size that is not hex", async () => {
    await assert.rejects(
      decode("zz\r\nhello\r\n0\r\n\r\n"),
      rejectsWith("malformed", /chunk size line "zz"/),
    );
    await assert.rejects(decode("\r\nhello\r\n"), rejectsWith("malformed", /chunk size/));
    await assert.rejects(decode("-5\r\nhello\r\n"), rejectsWith("malformed", /chunk size/));
  });

  it("rejects whitespace before a chunk size and control bytes in an extension", async () => {
    // As ChunkedPushDecoder does: where two decoders differ, two hops can see different bodies.
    assert.equal(await decode("5 \t;a=b\r\nhello\r\n0\r\n\r\n"), "hello");
    await assert.rejects(decode(" 5\r\nhello\r\n0\r\n\r\n"), rejectsWith("malformed", /chunk size line/));
    await assert.rejects(decode("\t5\r\nhello\r\n0\r\n\r\n"), rejectsWith("malformed", /chunk size line/));
    await assert.rejects(decode("5;a\rb\r\nhello\r\n0\r\n\r\n"), rejectsWith("malformed", /chunk size line/));
  });

  it("rejects a chunk size too large to be real", async () => {
    await assert.rejects(decode("fffffffffffffffff\r\n"), rejectsWith("malformed", /too large/));
  });

  it("rejects a chunk size line longer than 4096 bytes", async () => {
    await assert.rejects(decode(`1;${"x".repeat(5000)}\r\n`), rejectsWith("malformed", /longer than 4096/));
  });

  it("rejects chunk data not followed by CRLF", async () => {
    await assert.rejects(
      decode("3\r\nabcdef\r\n0\r\n\r\n"),
      rejectsWith("malformed", /not followed by CRLF \(got "de"\)/),
    );
  });

  it("reports truncation inside a chunk, before the last chunk and inside the trailers", async () => {
    await assert.rejects(decode("a\r\nabc"), rejectsWith("truncated", /inside a chunk, 7 bytes short/));
    await assert.rejects(decode("3\r\nabc\r\n"), rejectsWith("truncated", /before a chunk size line/));
    await assert.rejects(decode("3\r\nabc"), rejectsWith("truncated", /after chunk data/));
    await assert.rejects(decode("0\r\nX-A: 1\r\n"), rejectsWith("truncated", /trailer/));
    await assert.rejects(decode("0\r\n"), rejectsWith("truncated", /trailer/));
  });

  it("rejects trailers past the limit and malformed trailers", async () => {
    await assert.rejects(
      decode(`0\r\nX-A: ${"a".repeat(100)}\r\n\r\n`, undefined, 50),
      rejectsWith("too_large", /trailer section exceeds 50/),
    );
    await assert.rejects(decode("0\r\nno colon here\r\n\r\n"), rejectsWith("malformed", /no colon/));
  });
});
