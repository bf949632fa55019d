import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteReader } from "./byte_reader.ts";
import { bytes, streamOf, streamOfPieces, text } from "./_test_utils.ts";

describe("ByteReader", () => {
  it("readLine() returns lines without CRLF or LF and counts every byte consumed", async () => {
    const reader = new ByteReader(streamOf(bytes("one\r\ntwo\n\r\n")));
    const first = await reader.readLine(100);
    assert.equal(first.kind, "line");
    assert.equal(first.kind === "line" && text(first.line), "one");
    assert.equal(first.kind === "line" && first.size, 5);
    const second = await reader.readLine(100);
    assert.deepEqual(second.kind === "line" && [text(second.line), second.size], ["two", 4]);
    const blank = await reader.readLine(100);
    assert.deepEqual(blank.kind === "line" && [blank.line.length, blank.size], [0, 2]);
    assert.deepEqual(await reader.readLine(100), { kind: "eof", partial: new Uint8Array(0) });
  });

  it("readLine() joins a line that arrives one byte per read", async () => {
    const reader = new ByteReader(streamOf(bytes("HTTP/1.1 200 OK\r\nX: y\r\n"), 1));
    const first = await reader.readLine(100);
    const second = await reader.readLine(100);
    assert.equal(first.kind === "line" && text(first.line), "HTTP/1.1 200 OK");
    assert.equal(second.kind === "line" && text(second.line), "X: y");
  });

  it("readLine() reports a line longer than the limit, and accepts one exactly at it", async () => {
    const exact = new ByteReader(streamOf(bytes("abc\r\n"), 2));
    assert.equal((await exact.readLine(5)).kind, "line");
    const long = new ByteReader(streamOf(bytes("abcdef\r\n"), 2));
    const result = await long.readLine(5);
    assert.equal(result.kind, "too_long");
    assert.equal(result.kind === "too_long" && text(result.partial), "abcde");
    const noLf = new ByteReader(streamOf(bytes("abcdefghij"), 3));
    assert.equal((await noLf.readLine(4)).kind, "too_long");
  });

  it("readLine() hands back the partial line when the stream ends inside it", async () => {
    const reader = new ByteReader(streamOf(bytes("ok\nhalf a li"), 4));
    await reader.readLine(100);
    const result = await reader.readLine(100);
    assert.equal(result.kind, "eof");
    assert.equal(result.kind === "eof" && text(result.partial), "half a li");
  });

  it("readUpTo() returns buffered bytes first, then stream pieces, never more than asked, then null", async () => {
    const reader = new ByteReader(streamOf(bytes("head\nbody-bytes"), 8));
    await reader.readLine(100); // Leaves "bod" buffered from the first 8-byte piece.
    const pieces: string[] = [];
    for (let piece = await reader.readUpTo(4); piece !== null; piece = await reader.readUpTo(4)) {
      pieces.push(text(piece));
    }
    assert.deepEqual(pieces, ["bod", "y-by", "tes"]);
  });

  it("readUpTo() results stay intact while the reader goes on buffering lines", async () => {
    // "abc" + "de\nXYZ" makes the reader join a line in its own buffer with "XYZ" left over; then 6 KB of
    // lines in 7-byte pieces make it reuse that buffer from the start.
    const lines = Array.from({ length: 600 }, (_, i) => `line-${String(i).padStart(4, "0")}\n`).join("");
    const sizes = [3, 6];
    const reader = new ByteReader(streamOfPieces(bytes(`abcde\nXYZ${lines}`), () => sizes.shift() ?? 7));
    await reader.readLine(100);
    const held = await reader.readUpTo(2);
    assert.equal(held && text(held), "XY");
    let count = 0;
    while ((await reader.readLine(100)).kind === "line") count++;
    assert.equal(count, 600);
    assert.equal(held && text(held), "XY");
  });

  it("readUpTo() rejects a request for fewer than one byte", async () => {
    const reader = new ByteReader(streamOf(bytes("x")));
    await assert.rejects(reader.readUpTo(0), RangeError);
  });

  it("readLine() stays linear on a 100 KB line that arrives one byte per read", async () => {
    const line = bytes("x".repeat(100_000) + "\n");
    const started = performance.now();
    const result = await new ByteReader(streamOf(line, 1)).readLine(200_000);
    assert.equal(result.kind === "line" && result.line.length, 100_000);
    assert.ok(performance.now() - started < 5000, "took more than 5 s");
  });

  it("cancel() tells the stream's producer that nobody reads any more", async () => {
    let reason: unknown = null;
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(bytes("more\n")),
      cancel: (why) => {
        reason = why;
      },
    });
    const reader = new ByteReader(source);
    await reader.readLine(100);
    await reader.cancel("done");
    assert.equal(reason, "done");
  });

  it("readLine() rejects with the stream's own error when the stream fails", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new Error("reset")),
    });
    await assert.rejects(new ByteReader(failing).readLine(100), /reset/);
  });
});
