import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BunClientHandlers, type BunClientSocket, BunConn, bunDialer, PAUSE_BYTES } from "./dial.ts";

/** A socket that records what the adapter asks of it; `accept` is how many bytes each write takes. */
function fakeSocket(accept: (bytes: Uint8Array) => number = (bytes) => bytes.length) {
  const calls: string[] = [];
  const socket: BunClientSocket = {
    write: (bytes) => {
      const n = accept(bytes);
      calls.push(`write ${n}/${bytes.length}`);
      return n;
    },
    end: () => void calls.push("end"),
    terminate: () => void calls.push("terminate"),
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
  };
  return { socket, calls };
}

async function opened(socket: BunClientSocket): Promise<BunConn> {
  const conn = new BunConn();
  conn.handlers.open(socket);
  await conn.opened;
  return conn;
}

describe("BunConn", () => {
  it("hands bytes that arrived before a read to the next reads, in order", async () => {
    const { socket } = fakeSocket();
    const conn = await opened(socket);
    conn.handlers.data(socket, new TextEncoder().encode("HTTP/1.1 200 OK\r\n"));
    conn.handlers.data(socket, new TextEncoder().encode("\r\n"));
    const into = new Uint8Array(8);
    assert.equal(await conn.read(into), 8);
    assert.equal(new TextDecoder().decode(into), "HTTP/1.1");
    const rest = new Uint8Array(64);
    const n = (await conn.read(rest))!;
    assert.equal(new TextDecoder().decode(rest.subarray(0, n)), " 200 OK\r\n\r\n");
  });

  it("readOwned() hands over the received pieces themselves, split at max, and waits for the next one", async () => {
    const { socket, calls } = fakeSocket();
    const conn = await opened(socket);
    const first = new Uint8Array(PAUSE_BYTES);
    conn.handlers.data(socket, first);
    assert.deepEqual(calls, ["pause"]);
    const head = (await conn.readOwned(10))!;
    assert.deepEqual(
      [head.buffer, head.byteOffset, head.length],
      [first.buffer, 0, 10],
      "a view, not a copy",
    );
    const rest = (await conn.readOwned(PAUSE_BYTES))!;
    assert.deepEqual([rest.buffer, rest.byteOffset, rest.length], [first.buffer, 10, PAUSE_BYTES - 10]);
    assert.deepEqual(calls, ["pause", "resume"]);
    const pending = conn.readOwned(64);
    const second = new TextEncoder().encode("later");
    conn.handlers.data(socket, second);
    assert.equal(await pending, second);
    conn.handlers.end(socket);
    assert.equal(await conn.readOwned(64), null);
  });

  it("pauses the socket while a reader lags by PAUSE_BYTES and resumes it once the reader caught up", async () => {
    const { socket, calls } = fakeSocket();
    const conn = await opened(socket);
    conn.handlers.data(socket, new Uint8Array(PAUSE_BYTES));
    assert.deepEqual(calls, ["pause"]);
    const into = new Uint8Array(PAUSE_BYTES);
    await conn.read(into.subarray(0, PAUSE_BYTES / 4));
    assert.deepEqual(calls, ["pause"], "still a long queue");
    await conn.read(into);
    assert.deepEqual(calls, ["pause", "resume"]);
  });

  it("ends reads with null after the peer's FIN and a clean close, and rejects them after a reset", async () => {
    const { socket } = fakeSocket();
    const clean = await opened(socket);
    const pending = clean.read(new Uint8Array(4));
    clean.handlers.end(socket);
    clean.handlers.close(socket);
    assert.equal(await pending, null);

    const reset = await opened(socket);
    const waiting = reset.read(new Uint8Array(4));
    reset.handlers.close(socket, new Error("ECONNRESET"));
    await assert.rejects(waiting, /ECONNRESET/);
  });

  it("waits for drain when the kernel takes nothing, then reports what it took", async () => {
    let full = true;
    const { socket, calls } = fakeSocket((bytes) => full ? 0 : bytes.length);
    const conn = await opened(socket);
    const writing = conn.write(new Uint8Array(10));
    full = false;
    conn.handlers.drain(socket);
    assert.equal(await writing, 10);
    assert.deepEqual(calls, ["write 0/10", "write 10/10"]);
  });

  it("fails the dial at once when aborted while connecting, and closes the socket if it opens later", async () => {
    let handlers: BunClientHandlers | undefined;
    const dial = bunDialer((options) => {
      handlers = options.socket;
      return new Promise(() => {}); // a connect that hangs, as to a host that drops packets
    });
    const stop = new AbortController();
    const dialing = dial(new URL("http://127.0.0.1:9100/metrics"), stop.signal);
    stop.abort(new Error("scrape timeout reached"));
    await assert.rejects(dialing, /scrape timeout reached/);
    const { socket, calls } = fakeSocket();
    handlers!.open(socket);
    assert.deepEqual(calls, ["terminate"]);
  });

  it("fails the dial with the connect error, and resets a connection closed with unread bytes", async () => {
    const refused = new BunConn();
    const { socket, calls } = fakeSocket();
    refused.handlers.connectError(socket, new Error("ECONNREFUSED 127.0.0.1:9"));
    await assert.rejects(refused.opened, /ECONNREFUSED/);

    const conn = await opened(socket);
    conn.handlers.data(socket, new Uint8Array(3));
    conn.close();
    assert.deepEqual(calls, ["terminate"]);
    await assert.rejects(conn.read(new Uint8Array(1)), /connection closed/);
  });
});
