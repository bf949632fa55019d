import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SocketWriter } from "./socket_writer.ts";

/** A socket that takes at most `room` bytes per write, as a full kernel buffer would. */
function tightSocket(room: number) {
  const sent: number[] = [];
  return {
    sent,
    socket: {
      write: (bytes: Uint8Array) => (sent.push(...bytes.subarray(0, room)), Math.min(room, bytes.length)),
    },
  };
}

describe("SocketWriter", () => {
  it("write() resolves only once drain() has sent every byte, in order, including bytes queued meanwhile", async () => {
    const { sent, socket } = tightSocket(2);
    const out = new SocketWriter(socket);
    let done = false;
    const first = out.write(new Uint8Array([1, 2, 3, 4, 5]));
    assert.ok(first instanceof Promise);
    first.then(() => done = true);
    void out.write(new Uint8Array([6]));
    while (out.drain() > 0) await Promise.resolve();
    await first;
    assert.equal(done, true);
    assert.deepEqual(sent, [1, 2, 3, 4, 5, 6]);
  });

  it("write() rejects a pending and any later write once the socket closed", async () => {
    const { socket } = tightSocket(1);
    const out = new SocketWriter(socket);
    const pending = out.write(new Uint8Array([1, 2]))!;
    out.fail(new Error("connection closed by peer"));
    await assert.rejects(pending, /closed by peer/);
    await assert.rejects(out.write(new Uint8Array([3]))!, /closed by peer/);
  });
});
