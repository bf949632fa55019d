import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Connection, type ConnectionSettings } from "./connection.ts";
import type { BunSocket } from "./socket.ts";
import type { Handler } from "../../runtime/types.ts";

/** A socket that records what the connection does to it, so timer arming is visible without waiting. */
function fakeSocket() {
  const log = { timeouts: [] as number[], written: "", ended: false, terminated: false, paused: false };
  const socket: BunSocket<Connection> = {
    data: undefined as unknown as Connection,
    remoteAddress: "127.0.0.1",
    write: (bytes) => {
      log.written += new TextDecoder().decode(bytes);
      return bytes.length;
    },
    end: () => void (log.ended = true),
    terminate: () => void (log.terminated = true),
    timeout: (seconds) => void log.timeouts.push(seconds),
    pause: () => void (log.paused = true),
    resume: () => void (log.paused = false),
  };
  return { socket, log };
}

function settings(handler: Handler): ConnectionSettings {
  return {
    handler,
    tls: false,
    peerCertificates: false,
    maxHeaderBytes: 1024,
    headersTimeoutSeconds: 10,
    keepAliveSeconds: 65,
    date: () => "Thu, 01 Jan 2026 00:00:00 GMT",
  };
}

const enc = (text: string) => new TextEncoder().encode(text);
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("Connection", () => {
  it("Connection arms the head timeout, disarms it while the handler runs, then arms keep-alive", async () => {
    const { socket, log } = fakeSocket();
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    const connection = new Connection(
      socket,
      settings(async () => {
        await held;
        return new Response("ok");
      }),
    );
    assert.deepEqual(log.timeouts, [10]);
    connection.receive(enc("POST /poll HTTP/1.1\r\nHost: p\r\nContent-Length: 4\r\n\r\nhost"));
    await tick();
    assert.deepEqual(log.timeouts, [10, 0], "a held poll must not be dropped by the head timeout");
    release();
    await tick();
    assert.deepEqual(log.timeouts, [10, 0, 65]);
    assert.match(log.written, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(log.ended, false);
  });

  it("Connection re-arms the head timeout when a next request starts arriving", async () => {
    const { socket, log } = fakeSocket();
    const connection = new Connection(socket, settings(() => new Response("ok")));
    connection.receive(enc("GET / HTTP/1.1\r\nHost: p\r\n\r\n"));
    await tick();
    connection.receive(enc("GET / HT"));
    assert.deepEqual(log.timeouts, [10, 0, 65, 10]);
    connection.receive(enc("TP/1.1\r\n"));
    assert.deepEqual(log.timeouts, [10, 0, 65, 10], "trickling bytes must not extend the head deadline");
  });

  it("Connection aborts the request's signal when the peer goes away before the response", async () => {
    const { socket } = fakeSocket();
    let signal: AbortSignal | null = null;
    const connection = new Connection(
      socket,
      settings((request) => {
        signal = request.signal;
        return new Promise<Response>(() => {});
      }),
    );
    connection.receive(enc("POST /poll HTTP/1.1\r\nHost: p\r\nContent-Length: 1\r\n\r\nx"));
    await tick();
    assert.equal(signal!.aborted, false);
    connection.closed();
    assert.equal(signal!.aborted, true);
  });

  it("Connection answers 500 and closes gracefully when the handler throws or rejects", async () => {
    for (
      const handler of [
        () => {
          throw new Error("handler bug");
        },
        () => Promise.reject(new Error("handler bug")),
      ]
    ) {
      const { socket, log } = fakeSocket();
      const connection = new Connection(socket, settings(handler));
      connection.receive(enc("GET / HTTP/1.1\r\nHost: p\r\n\r\n"));
      await tick();
      assert.match(log.written, /^HTTP\/1\.1 500 Internal Server Error\r\n[^]*connection: close\r\n/);
      assert.deepEqual([log.ended, log.terminated], [true, false], "a reset could discard earlier replies");
      const written = log.written;
      connection.receive(enc("GET / HTTP/1.1\r\nHost: p\r\n\r\n"));
      await tick();
      assert.equal(log.written, written, "nothing is served after the failure");
    }
  });

  it("Connection answers 408 and closes when a head stalls past the head timeout", () => {
    const { socket, log } = fakeSocket();
    const connection = new Connection(socket, settings(() => new Response("ok")));
    connection.receive(enc("GET / HTTP/1.1\r\n"));
    connection.timedOut();
    assert.match(
      log.written,
      /^HTTP\/1\.1 408 Request Timeout\r\n[^]*\r\n\r\nrequest head did not arrive within 10s\n$/,
    );
    assert.equal(log.ended, true);
  });

  it("Connection answers 408 when a poll body stalls, without calling the handler", () => {
    const { socket, log } = fakeSocket();
    let called = false;
    const connection = new Connection(
      socket,
      settings(() => {
        called = true;
        return new Response("ok");
      }),
    );
    connection.receive(enc("POST /poll HTTP/1.1\r\nHost: p\r\nContent-Length: 13\r\n\r\nhost"));
    connection.timedOut();
    assert.match(log.written, /^HTTP\/1\.1 408 [^]*request body did not arrive within 10s\n$/);
    assert.equal(called, false);
  });

  it("Connection times a stalled poll body on a kept-alive connection by the head timeout, not keep-alive", async () => {
    const { socket, log } = fakeSocket();
    const connection = new Connection(socket, settings(() => new Response("ok")));
    connection.receive(enc("GET /a HTTP/1.1\r\nHost: p\r\n\r\n"));
    await tick();
    assert.equal(log.timeouts.at(-1), 65);
    // The next head arrives whole, its 4-byte body never does.
    connection.receive(enc("POST /poll HTTP/1.1\r\nHost: p\r\nContent-Length: 4\r\n\r\n"));
    assert.equal(log.timeouts.at(-1), 10);
    connection.timedOut();
    assert.match(log.written, /HTTP\/1\.1 408 [^\r]*\r\n[\s\S]*request body did not arrive within 10s/);
  });

  it("Connection closes an idle keep-alive connection quietly when its timeout fires", async () => {
    const { socket, log } = fakeSocket();
    const connection = new Connection(socket, settings(() => new Response("ok")));
    connection.receive(enc("GET / HTTP/1.1\r\nHost: p\r\n\r\n"));
    await tick();
    const answered = log.written;
    connection.timedOut();
    assert.equal(log.written, answered);
    assert.equal(log.terminated, true);
  });
});
