import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readTargetBody, WHOLE_BODY_BYTES } from "./target_body.ts";

const URL_ = new URL("http://127.0.0.1:9100/metrics");

/** A body without a Content-Length, in pieces of `piece` bytes (byte i is i % 251). */
function unframed(size: number, piece: number): Response {
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === size) return controller.close();
        const n = Math.min(piece, size - sent);
        controller.enqueue(Uint8Array.from({ length: n }, (_, i) => (sent + i) % 251));
        sent += n;
      },
    }),
  );
}

async function bytesOf(body: Uint8Array | ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (body === null || body instanceof Uint8Array) return body ?? new Uint8Array(0);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function pattern(size: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: size }, (_, i) => i % 251);
}

describe("readTargetBody()", () => {
  it("reads a body that declares at most 64 KiB whole", async () => {
    const body = await readTargetBody(new Response("up 1\n", { headers: { "Content-Length": "5" } }), URL_);
    assert.ok(body instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(body), "up 1\n");
  });

  it("leaves a body that declares more than 64 KiB as the response's own stream", async () => {
    const response = new Response(pattern(WHOLE_BODY_BYTES + 1), {
      headers: { "Content-Length": String(WHOLE_BODY_BYTES + 1) },
    });
    const stream = response.body;
    assert.equal(await readTargetBody(response, URL_), stream);
  });

  it("refuses a body with more bytes than its Content-Length, naming the URL", async () => {
    const response = new Response("up 1\nup 2\n", { headers: { "Content-Length": "5" } });
    await assert.rejects(
      readTargetBody(response, URL_),
      /http:\/\/127\.0\.0\.1:9100\/metrics has 10 bytes, its Content-Length says 5/,
    );
  });

  it("reads an unframed body that ends within 64 KiB whole, across many pieces", async () => {
    const body = await readTargetBody(unframed(WHOLE_BODY_BYTES, 1000), URL_);
    assert.ok(body instanceof Uint8Array, "whole");
    assert.deepEqual(body, pattern(WHOLE_BODY_BYTES));
  });

  it("streams a longer unframed body, the bytes read ahead first and then the rest, in order", async () => {
    const size = 3 * WHOLE_BODY_BYTES + 17;
    const body = await readTargetBody(unframed(size, 1000), URL_);
    assert.ok(body instanceof ReadableStream, "streamed");
    assert.deepEqual(await bytesOf(body), pattern(size));
  });

  it("gives null for a response without a body", async () => {
    assert.equal(await readTargetBody(new Response(null, { status: 204 }), URL_), null);
  });
});
