import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { bytes, collect, concat, streamOf, text } from "./_test_utils.ts";
import { encodeChunk, lastChunk } from "./chunked.ts";
import { parseScrapeResponse } from "./scrape_response_read.ts";
import { WireError, type WireLimits } from "./types.ts";

const wireError = (reason: WireError["reason"], pattern: RegExp) => (e: unknown) =>
  e instanceof WireError && e.reason === reason && pattern.test(e.message);

async function parse(wire: string, limits?: WireLimits, pieceSize?: number) {
  const { head, body } = await parseScrapeResponse(streamOf(bytes(wire), pieceSize), limits);
  return { head, body: text(await collect(body)) };
}

describe("parseScrapeResponse() heads", () => {
  it("reads status, reason, headers in order with repeats, and the Id", async () => {
    const { head } = await parse(
      "HTTP/1.1 200 OK\r\nid: 42\r\nVary: a\r\ncontent-length: 0\r\nVary: b\r\n\r\n",
    );
    assert.deepEqual(head, {
      proto: "HTTP/1.1",
      status: 200,
      statusText: "OK",
      headers: [["id", "42"], ["Vary", "a"], ["content-length", "0"], ["Vary", "b"]],
      framing: "content-length",
      contentLength: 0,
      id: "42",
    });
  });

  it("accepts a status line without reason phrase, bare LF line ends, and no Id", async () => {
    const { head, body } = await parse("HTTP/1.0 503\nContent-Length: 2\n\nno");
    assert.deepEqual([head.proto, head.status, head.statusText, head.id, body], [
      "HTTP/1.0",
      503,
      "",
      null,
      "no",
    ]);
  });

  it("rejects a bad status line, quoting it as upstream's proxy does", async () => {
    await assert.rejects(
      parse("garbage\r\n\r\n"),
      wireError("malformed", /^malformed status line "garbage"$/),
    );
    for (
      const line of [
        "HTTP/1.1 20 OK",
        "HTTP/1.1 2000 OK",
        "HTTP/1.1 099 Low",
        "HTTP/1.1 600 High",
        "HTTP/1.1 200OK",
        "HTTPS/1.1 200 OK",
        "HTTP/1.1 200 O\u0001K",
      ]
    ) {
      await assert.rejects(parse(`${line}\r\n\r\n`), wireError("malformed", /malformed status line/), line);
    }
  });

  it("rejects a bad header line", async () => {
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"),
      wireError("malformed", /header line "no colon"/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n"),
      wireError("malformed", /header line/),
    );
  });

  it("rejects conflicting or non-numeric lengths and unknown transfer codings", async () => {
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
      wireError("malformed", /conflicting/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n"),
      wireError("malformed", /Content-Length "ten"/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"),
      wireError("malformed", /both/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
      wireError("malformed", /"gzip"/),
    );
  });

  it("reports a stream that ends inside the head as truncated", async () => {
    await assert.rejects(parse(""), wireError("truncated", /inside its head/));
    await assert.rejects(parse("HTTP/1.1 200 OK\r\nContent-Ty"), wireError("truncated", /"Content-Ty"/));
  });

  it("refuses a head larger than maxHeaderBytes, 64 KiB by default", async () => {
    const head = `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`;
    await assert.rejects(parse(head), wireError("too_large", /exceeds 65536 bytes/));
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", { maxHeaderBytes: 20 }),
      wireError("too_large", /exceeds 20 bytes/),
    );
    assert.equal((await parse("HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", { maxHeaderBytes: 25 })).head.status, 200);
  });

  it("turns a failing stream into a truncated WireError that keeps the cause", async () => {
    const reset = new Error("connection reset");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("HTTP/1.1 200 OK\r\n"));
        controller.error(reset);
      },
    });
    await assert.rejects(
      parseScrapeResponse(stream),
      (e) => e instanceof WireError && e.reason === "truncated" && e.cause === reset,
    );
  });
});

describe("parseScrapeResponse() bodies", () => {
  it("decodes chunked bodies with extensions and drops trailers", async () => {
    const { head, body } = await parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: 1\r\n\r\n",
    );
    assert.equal(head.framing, "chunked");
    assert.equal(body, "hello!");
  });

  it("reads a Content-Length body and nothing after it", async () => {
    assert.equal((await parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA")).body, "hello");
  });

  it("reads an unframed body to the end of the stream", async () => {
    const { head, body } = await parse(
      "HTTP/0.0 500 Internal Server Error\r\nId: 1\r\n\r\nfailed to scrape",
      undefined,
      4,
    );
    assert.deepEqual([head.framing, body], ["until-eof", "failed to scrape"]);
  });

  it("gives 1xx, 204 and 304 an empty body even when bytes follow", async () => {
    for (const status of [101, 204, 304]) {
      const { head, body } = await parse(`HTTP/1.1 ${status} X\r\nContent-Length: 3\r\n\r\nabc`);
      assert.deepEqual([head.framing, body], ["none", ""]);
    }
  });

  it("errors the body with truncated when the stream ends early", async () => {
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"),
      wireError("truncated", /after 5 of 10 bytes/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello"),
      wireError("truncated", /inside a chunk/),
    );
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
      wireError("truncated", /chunk size/),
    );
  });

  it("errors the body with truncated, keeping the cause, when the stream fails mid-body", async () => {
    const reset = new Error("connection reset");
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Erroring right after enqueueing would discard the queued bytes: fail on the next read instead.
        if (pulls++ === 0) controller.enqueue(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"));
        else controller.error(reset);
      },
    }, { highWaterMark: 0 });
    const { body } = await parseScrapeResponse(stream);
    await assert.rejects(
      collect(body),
      (e) => e instanceof WireError && e.reason === "truncated" && e.cause === reset,
    );
  });

  it("errors the body with malformed on a bad chunk size line", async () => {
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n"),
      wireError("malformed", /chunk size line "xyz"/),
    );
  });

  it("errors the body with too_large past maxBodyBytes, for every framing", async () => {
    const limits = { maxBodyBytes: 4 };
    await assert.rejects(
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", limits),
      wireError("too_large", /limit of 4 bytes/),
    );
    await assert.rejects(
      parse("HTTP/1.1 500 Oops\r\n\r\nabcdef", limits),
      wireError("too_large", /limit of 4 bytes/),
    );
    assert.equal((await parse("HTTP/1.1 500 Oops\r\n\r\nabcd", limits)).body, "abcd");
  });

  it("returns the head of a push whose Content-Length is above maxBodyBytes, and errors its body at once", async () => {
    const { head, body } = await parseScrapeResponse(
      streamOf(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nId: a\r\n\r\nhello")),
      {
        maxBodyBytes: 4,
      },
    );
    assert.equal(head.id, "a");
    assert.equal(head.contentLength, 5);
    await assert.rejects(
      collect(body),
      wireError("too_large", /Content-Length 5 exceeds the body limit of 4/),
    );
  });

  it("reads nothing of the body until asked, and cancelling the body cancels the stream", async () => {
    let pulls = 0;
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start: (controller) =>
        controller.enqueue(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")),
      pull(controller) {
        pulls++;
        controller.enqueue(encodeChunk(bytes("x".repeat(100))));
      },
      cancel() {
        cancelled = true;
      },
    }, { highWaterMark: 0 });
    const { body } = await parseScrapeResponse(source);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = pulls;
    assert.equal(before, 0, "read body bytes before anyone asked");
    const reader = body.getReader();
    assert.equal(text((await reader.read()).value!), "x".repeat(100));
    assert.ok(pulls - before <= 2, `read ${pulls - before} pieces ahead for one chunk`);
    await reader.cancel();
    assert.ok(cancelled);
  });

  it("parses a body arriving one byte per read in linear time", async () => {
    const payload = "metric_total 1\n".repeat(300);
    const chunked = text(
      concat(
        bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ...payload.match(/.{1,100}/gs)!.map((p) => encodeChunk(bytes(p))),
        lastChunk(),
      ),
    );
    const started = performance.now();
    assert.equal((await parse(chunked, undefined, 1)).body, payload);
    assert.equal(
      (await parse(`HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`, undefined, 1))
        .body,
      payload,
    );
    assert.ok(performance.now() - started < 5000);
  });

  it("streams 64 MiB of chunked body in 64 KiB pieces with every byte intact", async () => {
    const piece = new Uint8Array(65536);
    const total = 64 * 1024 * 1024;
    let produced = 0;
    const expected = createHash("sha256");
    const source = new ReadableStream<Uint8Array>({
      start: (controller) =>
        controller.enqueue(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")),
      pull(controller) {
        if (produced === total) {
          controller.enqueue(lastChunk());
          return controller.close();
        }
        for (let i = 0; i < piece.length; i += 4096) piece[i] = (produced / 65536 + i) & 0xff;
        expected.update(piece);
        produced += piece.length;
        controller.enqueue(encodeChunk(piece));
      },
    }, { highWaterMark: 0 });
    const { body } = await parseScrapeResponse(source);
    const actual = createHash("sha256");
    let count = 0;
    for await (const data of body) {
      actual.update(data);
      count += data.length;
    }
    assert.equal(count, total);
    assert.equal(actual.digest("hex"), expected.digest("hex"));
  });
});
