import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ByteConn } from "./byte_conn.ts";
import {
  bodyReader,
  BUFFER_BYTES,
  BufferPool,
  LARGE_BODY_BYTES,
  LARGE_BUFFER_BYTES,
  OWNED_BODY_BYTES,
  readHead,
} from "./response.ts";

/** A connection that always has more bytes than asked for: each read fills the buffer it is given. */
function firehose(head: string, bodyBytes: number): ByteConn {
  const headBytes = new TextEncoder().encode(head);
  let sent = 0;
  const total = headBytes.length + bodyBytes;
  return {
    read(into) {
      if (sent === total) return Promise.resolve(null);
      const n = Math.min(into.length, total - sent);
      for (let i = 0; i < n; i++) into[i] = sent + i < headBytes.length ? headBytes[sent + i]! : 0x61;
      sent += n;
      return Promise.resolve(n);
    },
    write: (bytes) => Promise.resolve(bytes.length),
    close() {},
  };
}

/** Reads a whole response body, returning the size of each piece. */
async function pieceSizes(head: string, bodyBytes: number): Promise<number[]> {
  const pool = new BufferPool();
  const conn = firehose(head, bodyBytes);
  const reader = bodyReader(conn, pool, await readHead(conn, pool), false);
  const sizes: number[] = [];
  for (let piece = await reader.next(); piece !== null; piece = await reader.next()) {
    sizes.push(piece.length);
    pool.recycle(piece);
  }
  return sizes;
}

const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);

describe("bodyReader()", () => {
  it("reads an ordinary body into buffers of BUFFER_BYTES", async () => {
    const sizes = await pieceSizes("HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n", 300_000);
    assert.equal(sum(sizes), 300_000);
    assert.ok(Math.max(...sizes) <= BUFFER_BYTES, `pieces ${sizes}`);
  });

  it("reads a body declared large into large buffers from the first read on", async () => {
    const length = 2 * LARGE_BODY_BYTES;
    const sizes = await pieceSizes(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`, length);
    assert.equal(sum(sizes), length);
    // The first piece is what came with the head, in its ordinary buffer; every read after it is large.
    assert.ok(sizes.slice(1, -1).every((size) => size === LARGE_BUFFER_BYTES), `pieces ${sizes}`);
  });

  it("moves a body of unknown length to large buffers once it has passed LARGE_BODY_BYTES", async () => {
    const length = 2 * LARGE_BODY_BYTES;
    const sizes = await pieceSizes("HTTP/1.0 200 OK\r\n\r\n", length);
    assert.equal(sum(sizes), length);
    let seen = 0;
    for (const size of sizes) {
      assert.ok(size <= (seen >= LARGE_BODY_BYTES ? LARGE_BUFFER_BYTES : BUFFER_BYTES), `pieces ${sizes}`);
      seen += size;
    }
    assert.ok(sizes.some((size) => size > BUFFER_BYTES), `pieces ${sizes}`);
  });
});

describe("BufferPool", () => {
  it("reads a large body of bounded declared size as the connection's own pieces, others into the pool", async () => {
    /** A firehose that can also hand over pieces of its own, and counts them. */
    const owning = (head: string, bodyBytes: number) => {
      const conn = firehose(head, bodyBytes);
      let owned = 0;
      const readOwned = async (max: number) => {
        const piece = new Uint8Array(Math.min(max, 300 * 1024));
        const n = await conn.read(piece);
        if (n === null) return null;
        owned++;
        return piece.subarray(0, n);
      };
      return { conn: { ...conn, readOwned }, owned: () => owned };
    };
    const readAll = async (head: string, bodyBytes: number) => {
      const { conn, owned } = owning(head, bodyBytes);
      const pool = new BufferPool();
      const reader = bodyReader(conn, pool, await readHead(conn, pool), false);
      let total = 0;
      for (let piece = await reader.next(); piece !== null; piece = await reader.next()) {
        total += piece.length;
      }
      return { total, owned: owned(), clean: reader.clean };
    };
    const fiveMiB = 5 * 1024 * 1024;
    const fiveHead = `HTTP/1.1 200 OK\r\nContent-Length: ${fiveMiB}\r\n\r\n`;
    const five = await readAll(fiveHead, fiveMiB + 100);
    // Never past the declared end: the 100 extra bytes stay with the connection.
    assert.deepEqual([five.total, five.clean], [fiveMiB, true]);
    // The head's pool buffer carries the body's first bytes; the rest comes as the connection's pieces.
    assert.equal(five.owned, Math.ceil((fiveMiB - (BUFFER_BYTES - fiveHead.length)) / (300 * 1024)));
    const over = OWNED_BODY_BYTES + 1;
    assert.equal((await readAll(`HTTP/1.1 200 OK\r\nContent-Length: ${over}\r\n\r\n`, over)).owned, 0);
    assert.equal((await readAll("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 1000)).owned, 0);
  });

  it("hands recycled buffers of either size out again, and detaches the views that were lent", () => {
    const pool = new BufferPool();
    const small = pool.take();
    const large = pool.take(true);
    assert.deepEqual([small.length, large.length], [BUFFER_BYTES, LARGE_BUFFER_BYTES]);
    const lent = pool.lend(large.subarray(0, 10));
    pool.recycle(lent);
    assert.equal(lent.length, 0, "a view kept past recycle() reads as empty");
    pool.put(small);
    assert.deepEqual([pool.take().length, pool.take(true).length], [BUFFER_BYTES, LARGE_BUFFER_BYTES]);
  });

  it("keeps at most maxFree small and a quarter as many large idle buffers", () => {
    const pool = new BufferPool(4);
    const small = Array.from({ length: 6 }, () => pool.take());
    const large = Array.from({ length: 3 }, () => pool.take(true));
    for (const buffer of [...small, ...large]) pool.put(buffer);
    const kept = new Set<Uint8Array["buffer"]>([...small, ...large].map((buffer) => buffer.buffer));
    const again = [
      ...Array.from({ length: 6 }, () => pool.take()),
      ...Array.from({ length: 3 }, () => pool.take(true)),
    ];
    assert.equal(again.filter((buffer) => kept.has(buffer.buffer)).length, 4 + 1);
  });
});
