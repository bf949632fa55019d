import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Coordinator } from "./coordinator.ts";
import { FakeTimers } from "./fake_timers.ts";
import { HttpError } from "./http_error.ts";
import { handlePush } from "./push_handler.ts";

/** A push body that sends `prefix` and then nothing, until cancelled; reports the cancel. */
function stallingBody(prefix: string) {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, wasCancelled: () => cancelled };
}

/** A coordinator on `timers` with no clients yet. */
const coordinatorOn = (timers: FakeTimers) =>
  new Coordinator({ timers, newId: () => "id", registrationTimeoutMs: 60_000, disconnectGraceMs: 1000 });

describe("handlePush()", () => {
  it("answers 408 and releases the body when the pushed head stalls past the bound", async () => {
    const timers = new FakeTimers();
    const coordinator = coordinatorOn(timers);
    const { body, wasCancelled } = stallingBody("HTTP/1.1 200 OK\r\nId: x\r\n");
    const request = new Request("http://proxy/push", { method: "POST", body, duplex: "half" } as RequestInit);
    const outcome = handlePush(request, coordinator, {
      maxHeaderBytes: 65536,
      maxBodyBytes: 0,
      headStallMs: 5000,
      timers,
    })
      .then(() => null, (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 5));
    timers.advance(4999);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(wasCancelled(), false, "gave up before the bound");
    timers.advance(1);
    const error = await outcome;
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 408);
    assert.match(error.message, /pushed response head did not arrive within 5s/);
    assert.equal(wasCancelled(), true);
    assert.equal(timers.armed, 0);
    coordinator.close();
  });

  it("answers 408 at the same bound when a push declaring its length stops half-way", async () => {
    const timers = new FakeTimers();
    const coordinator = coordinatorOn(timers);
    const { body } = stallingBody("HTTP/1.1 200 OK\r\nId: x\r\n");
    const request = new Request("http://proxy/push", {
      method: "POST",
      body,
      headers: { "content-length": "200" },
      duplex: "half",
    } as RequestInit);
    const outcome = handlePush(request, coordinator, {
      maxHeaderBytes: 65536,
      maxBodyBytes: 0,
      headStallMs: 5000,
      timers,
    })
      .then(() => null, (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 5));
    timers.advance(4999);
    await new Promise((resolve) => setTimeout(resolve, 5));
    timers.advance(1);
    const error = await outcome;
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 408);
    assert.match(error.message, /request body did not arrive within 5s/);
    assert.equal(timers.armed, 0);
    coordinator.close();
  });

  it("clears its stall timer once the head has arrived", async () => {
    const timers = new FakeTimers();
    const coordinator = coordinatorOn(timers);
    const request = new Request("http://proxy/push", {
      method: "POST",
      body: "HTTP/1.1 200 OK\r\nId: nobody\r\nContent-Length: 0\r\n\r\n",
    });
    await assert.rejects(
      handlePush(request, coordinator, { maxHeaderBytes: 65536, maxBodyBytes: 0, timers }),
      (error: unknown) => error instanceof HttpError && error.status === 404,
    );
    assert.equal(timers.armed, 0);
    coordinator.close();
  });
});
