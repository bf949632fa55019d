import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ByteSink, writeResponse } from "./response.ts";

const DATE = "Thu, 01 Jan 2026 00:00:00 GMT";

/** A sink that keeps everything written, as text. */
function sink(): ByteSink & { text: () => string } {
  let out = "";
  return {
    write: (bytes) => void (out += new TextDecoder().decode(bytes)),
    text: () => out,
  };
}

/** A body that arrives in several pieces, so its length is not known up front. */
function pieces(...parts: string[]): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    }),
  );
}

/** Like `pieces`, with a Content-Length header. */
function declared(length: number, ...parts: string[]): Response {
  const response = pieces(...parts);
  return new Response(response.body, { headers: { "content-length": String(length) } });
}

describe("writeResponse()", () => {
  it("writeResponse() sends a small declared body with its head in one write, however it was split", async () => {
    const writes: string[] = [];
    const record: ByteSink = { write: (bytes) => void writes.push(new TextDecoder().decode(bytes)) };
    await writeResponse(record, declared(6, "abcd", "ef"), {
      headRequest: false,
      connection: null,
      date: DATE,
    });
    assert.equal(writes.length, 1);
    assert.match(writes[0]!, /^HTTP\/1\.1 200 OK\r\n[^]*content-length: 6\r\n\r\nabcdef$/);
  });

  it("writeResponse() sends a large declared body's first piece with its head, the rest as it comes", async () => {
    const writes: string[] = [];
    const record: ByteSink = { write: (bytes) => void writes.push(new TextDecoder().decode(bytes)) };
    const first = "a".repeat(40_000);
    const second = "b".repeat(30_000);
    await writeResponse(record, declared(70_000, first, second), {
      headRequest: false,
      connection: null,
      date: DATE,
    });
    assert.equal(writes.length, 2);
    assert.ok(writes[0]!.endsWith(`content-length: 70000\r\n\r\n${first}`));
    assert.equal(writes[1], second);
  });

  it("writeResponse() refuses a small body longer than its Content-Length before writing a byte", async () => {
    const out = sink();
    await assert.rejects(
      writeResponse(out, declared(3, "ab", "cd"), { headRequest: false, connection: null, date: DATE }),
      /its body has more than 3 bytes, its Content-Length says 3/,
    );
    assert.equal(out.text(), "");
  });

  it("writeResponse() refuses a small body shorter than its Content-Length before writing a byte", async () => {
    const out = sink();
    await assert.rejects(
      writeResponse(out, declared(5, "ab"), { headRequest: false, connection: null, date: DATE }),
      /its body has 2 bytes, its Content-Length says 5/,
    );
    assert.equal(out.text(), "");
  });

  it("writeResponse() still refuses a large body longer than its Content-Length, sending no byte past it", async () => {
    const out = sink();
    const length = 70_000;
    await assert.rejects(
      writeResponse(out, declared(length, "a".repeat(length), "b"), {
        headRequest: false,
        connection: null,
        date: DATE,
      }),
      /its body has more than 70000 bytes, its Content-Length says 70000/,
    );
    assert.ok(out.text().endsWith(`content-length: ${length}\r\n\r\n${"a".repeat(length)}`));
  });

  it("writeResponse() frames a body of unknown length as chunked for an HTTP/1.1 client", async () => {
    const out = sink();
    const close = await writeResponse(out, pieces("ab", "cd"), {
      headRequest: false,
      connection: null,
      date: DATE,
    });
    assert.equal(close, false);
    assert.match(out.text(), /transfer-encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n$/);
  });

  it("writeResponse() sends no chunks to an HTTP/1.0 client: the body ends with the connection", async () => {
    const out = sink();
    const close = await writeResponse(out, pieces("ab", "cd"), {
      headRequest: false,
      connection: null,
      date: DATE,
      http10: true,
    });
    assert.equal(close, true, "the caller is told to close");
    assert.doesNotMatch(out.text(), /transfer-encoding|content-length/);
    assert.match(out.text(), /connection: close\r\n\r\nabcd$/);
  });

  it("writeResponse() tells an HTTP/1.0 keep-alive client that the connection stays", async () => {
    const out = sink();
    const close = await writeResponse(out, new Response("hello"), {
      headRequest: false,
      connection: null,
      date: DATE,
      http10: true,
    });
    assert.equal(close, false);
    assert.match(out.text(), /connection: keep-alive\r\ncontent-length: 5\r\n\r\nhello$/);
  });

  it("writeResponse() writes the declared length and no body for HEAD", async () => {
    const out = sink();
    await writeResponse(out, new Response("twelve bytes", { headers: { "content-length": "12" } }), {
      headRequest: true,
      connection: "close",
      date: DATE,
    });
    assert.match(out.text(), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\ncontent-length: 12\r\n\r\n$/);
  });
});
