import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ByteConn } from "./byte_conn.ts";
import { BATCH_BYTES, WriteBatch } from "./write_batch.ts";

/** A connection that records each write as text and takes at most `perWrite` bytes at a time. */
function recordingConn(perWrite = Infinity, failWith?: Error): ByteConn & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    read: () => Promise.resolve(null),
    write(bytes) {
      if (failWith !== undefined) return Promise.reject(failWith);
      const n = Math.min(bytes.length, perWrite);
      writes.push(new TextDecoder().decode(bytes.subarray(0, n)));
      return Promise.resolve(n);
    },
    close() {},
  };
}

const text = (s: string) => new TextEncoder().encode(s);

describe("WriteBatch", () => {
  it("sends small pieces written in one task as a single socket write", async () => {
    const conn = recordingConn();
    let flushLater: () => void = () => assert.fail("no flush was scheduled");
    const out = new WriteBatch(conn, (flush) => flushLater = flush);
    await out.write(text("POST /push HTTP/1.1\r\n\r\n"));
    await out.write(text("HTTP/1.1 200 OK\r\n\r\n"));
    await out.write(text("metric 1\n"));
    assert.deepEqual(conn.writes, [], "nothing leaves before the task ends");
    flushLater();
    await out.flush();
    assert.deepEqual(conn.writes, ["POST /push HTTP/1.1\r\n\r\nHTTP/1.1 200 OK\r\n\r\nmetric 1\n"]);
  });

  it("grows the batch for many small pieces and still sends them as one write", async () => {
    const conn = recordingConn();
    let flushLater: () => void = () => {};
    const out = new WriteBatch(conn, (flush) => flushLater = flush);
    const lines = Array.from({ length: 200 }, (_, i) => `metric_${i} ${i}\n`);
    for (const line of lines) await out.write(text(line));
    flushLater();
    await out.flush();
    assert.deepEqual(conn.writes, [lines.join("")]);
  });

  it("keeps the order when a large piece follows batched ones, and lets the caller reuse a copied piece", async () => {
    const conn = recordingConn();
    const out = new WriteBatch(conn, () => {});
    const small = text("head\r\n\r\n");
    await out.write(small);
    small.fill(0x21); // the batch holds a copy
    const large = "x".repeat(BATCH_BYTES);
    await out.write(text(large));
    await out.flush();
    assert.deepEqual(conn.writes, ["head\r\n\r\n", large]);
  });

  it("writes everything even when the socket takes a few bytes at a time", async () => {
    const conn = recordingConn(3);
    const out = new WriteBatch(conn, () => {});
    await out.write(text("0123456789"));
    await out.flush();
    assert.equal(conn.writes.join(""), "0123456789");
  });

  it("rejects the flush and every later write with the socket's error", async () => {
    const failure = new Error("connection reset by peer");
    const out = new WriteBatch(recordingConn(Infinity, failure), () => {});
    await out.write(text("head"));
    await assert.rejects(out.flush(), failure);
    await assert.rejects(out.write(text("more")), failure);
  });
});
