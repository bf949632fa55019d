import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeTimers } from "./fake_timers.ts";
import { HttpError } from "./http_error.ts";
import { readSmallBody } from "./read_body.ts";

/** A body that yields `prefix` and then nothing, until cancelled. */
function stalling(prefix: string): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode(prefix)) });
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://proxy/poll", { method: "POST", body, headers, duplex: "half" } as RequestInit);

const statusOf = (error: unknown) => (error instanceof HttpError ? error.status : error);

describe("readSmallBody()", () => {
  it("reads a body that declares its length, and one that does not, whole", async () => {
    const timers = new FakeTimers();
    const declared = await readSmallBody(post("node-1", { "content-length": "6" }), 1024, 5000, timers);
    assert.equal(new TextDecoder().decode(declared), "node-1");
    const streamed = await readSmallBody(post(new Blob(["node-2"]).stream()), 1024, 5000, timers);
    assert.equal(new TextDecoder().decode(streamed), "node-2");
    assert.equal(timers.armed, 0);
  });

  it("refuses a declared length over the limit at once with 413, before reading any of it", async () => {
    const timers = new FakeTimers();
    const request = post(stalling("x"), { "content-length": "2048" });
    const error = await readSmallBody(request, 1024, 5000, timers).catch((e) => e);
    assert.equal(statusOf(error), 413);
    assert.match((error as Error).message, /larger than 1024 bytes/);
    assert.equal(timers.armed, 0);
  });

  it("refuses an undeclared body with 413 as soon as it passes the limit", async () => {
    const timers = new FakeTimers();
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(100)),
    });
    const error = await readSmallBody(post(endless), 1024, 5000, timers).catch((e) => e);
    assert.equal(statusOf(error), 413);
    assert.equal(timers.armed, 0);
  });

  for (
    const [name, headers] of [["declaring its length", { "content-length": "100" }], [
      "of unknown length",
      {},
    ]] as const
  ) {
    it(`answers 408 for a body ${name} that stops half-way, at the bound and not before`, async () => {
      const timers = new FakeTimers();
      const outcome = readSmallBody(post(stalling("half"), headers), 1024, 5000, timers).catch((e) => e);
      await new Promise((resolve) => setTimeout(resolve, 5));
      timers.advance(4999);
      const early = await Promise.race([outcome, new Promise((r) => setTimeout(() => r("pending"), 5))]);
      assert.equal(early, "pending");
      timers.advance(1);
      const error = await outcome;
      assert.equal(statusOf(error), 408);
      assert.match((error as Error).message, /did not arrive within 5s/);
      assert.equal(timers.armed, 0);
    });
  }
});
