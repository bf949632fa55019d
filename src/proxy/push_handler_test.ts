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
  // Streamed, a stalled push's body is released at the bound; read whole (it declares its length), the
  // server that owns the body ends it when it closes the connection after our 408.
  const STALLS = [
    { mode: "of unknown length", headers: {}, message: /pushed response head did not arrive within 5s/ },
    {
      mode: "declaring its length",
      headers: { "content-length": "200" },
      message: /body did not arrive within 5s/,
    },
  ];
  for (const { mode, headers, message } of STALLS) {
    it(`answers 408 at the bound, not before, when a push ${mode} stalls`, async () => {
      const timers = new FakeTimers();
      const coordinator = coordinatorOn(timers);
      const { body, wasCancelled } = stallingBody("HTTP/1.1 200 OK\r\nId: x\r\n");
      const request = new Request("http://proxy/push", {
        method: "POST",
        body,
        headers,
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
      const early = await Promise.race([outcome, new Promise((r) => setTimeout(() => r("pending"), 5))]);
      assert.equal(early, "pending", "gave up before the bound");
      timers.advance(1);
      const error = await outcome;
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 408);
      assert.match(error.message, message);
      if (!("content-length" in headers)) assert.equal(wasCancelled(), true);
      assert.equal(timers.armed, 0);
      coordinator.close();
    });
  }

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
