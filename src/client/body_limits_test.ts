import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BodyTooLargeError, readCapped, readExcerpt, readResponseCapped } from "./body_limits.ts";

const encoder = new TextEncoder();

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

describe("readCapped()", () => {
  it("readCapped() returns all bytes of a body within the cap", async () => {
    const bytes = await readCapped(streamOf("GET ", "http://h/ HTTP/1.1\r\n\r\n"), 100, "poll response");
    assert.equal(new TextDecoder().decode(bytes), "GET http://h/ HTTP/1.1\r\n\r\n");
  });

  it("readCapped() rejects a body past the cap, naming it", async () => {
    await assert.rejects(readCapped(streamOf("12345", "67890"), 8, "poll response"), (error: unknown) => {
      assert.ok(error instanceof BodyTooLargeError);
      assert.equal(error.message, "poll response is larger than 8 bytes");
      return true;
    });
  });

  it("readCapped() reads a missing body as empty", async () => {
    assert.equal((await readCapped(null, 8, "poll response")).byteLength, 0);
  });
});

describe("readExcerpt()", () => {
  it("readExcerpt() keeps the start of a body on one line", async () => {
    const text = await readExcerpt(
      streamOf("Error WaitForScrapeInstruction:\n", "request is expired\n"),
      1000,
    );
    assert.equal(text, "Error WaitForScrapeInstruction: request is expired");
  });

  it("readExcerpt() stops at the byte limit", async () => {
    assert.equal(await readExcerpt(streamOf("abcdef", "ghij"), 8), "abcdefgh");
  });
});

describe("readResponseCapped()", () => {
  it("reads a body that declares its length within the cap without touching its stream", async () => {
    const response = new Response("poll body", { headers: { "content-length": "9" } });
    assert.equal(
      new TextDecoder().decode(await readResponseCapped(response, 9, "poll response")),
      "poll body",
    );
  });

  it("refuses a body past the cap whether or not it declares its length", async () => {
    const declared = new Response(streamOf("0123456789"), { headers: { "content-length": "10" } });
    await assert.rejects(readResponseCapped(declared, 4, "poll response"), BodyTooLargeError);
    const undeclared = new Response(streamOf("01234", "56789"));
    await assert.rejects(
      readResponseCapped(undeclared, 8, "poll response"),
      /poll response is larger than 8 bytes/,
    );
  });

  it("reads a body without a declared length through the capped stream", async () => {
    const response = new Response(streamOf("a", "b", "c"));
    assert.equal(new TextDecoder().decode(await readResponseCapped(response, 3, "push response")), "abc");
  });
});
