import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { gzipSync } from "node:zlib";
import { after, describe, it } from "node:test";
import { createRawHttpClient } from "./client.ts";
import { BufferPool } from "./response.ts";
import type { ByteConn, Dial } from "./byte_conn.ts";
import { denoDialer } from "../../runtime/deno/dial.ts";
import { bunDialer } from "../../runtime/bun/dial.ts";
import { bunConnect } from "../../runtime/bun/sockets.ts";
import type { TlsClientOptions } from "../../runtime/types.ts";
import { makeTestTls } from "../testing/tls.ts";

/** The dialer of the runtime running the test: the client is the same code over either. */
const dialer = (tls: TlsClientOptions = {}): Dial =>
  typeof Deno !== "undefined" ? denoDialer(tls) : bunDialer(bunConnect, tls);
const createClient = (tls: TlsClientOptions = {}, pool?: BufferPool) =>
  createRawHttpClient(dialer(tls), { pool });

/** A loopback TCP server whose connections the test scripts byte by byte. */
interface RawServer {
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

async function rawServer(onConnection: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Calls `answer` with each request head (and whatever body bytes came with it) on a connection. */
function onRequests(socket: Socket, answer: (head: string, received: () => Buffer) => void): void {
  let data = Buffer.alloc(0);
  let served = 0;
  socket.on("data", (piece: Buffer) => {
    data = Buffer.concat([data, piece]);
    const end = data.indexOf("\r\n\r\n", served);
    if (end === -1) return;
    const head = data.subarray(served, end).toString("latin1");
    served = end + 4;
    answer(head, () => data.subarray(end + 4));
  });
}

/**
 * Records each request on a connection (head, blank line, body) once its body ends with one of `ends`,
 * then answers it with `reply`.
 */
function recordRequests(socket: Socket, requests: string[], ends: readonly string[], reply: string): void {
  onRequests(socket, (head, received) => {
    const check = () => {
      const body = received().toString("latin1");
      if (!ends.some((end) => body.endsWith(end))) return;
      socket.off("data", check);
      requests.push(`${head}\r\n\r\n${body}`);
      socket.write(reply);
    };
    socket.on("data", check);
    check();
  });
}

const text = (body: ReadableStream<Uint8Array> | null) => new Response(body).text();
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`createRawHttpClient() over ${typeof Deno !== "undefined" ? "Deno's connect()" : "Bun's connect()"}`, () => {
  const servers: RawServer[] = [];
  const clients: { close(): void }[] = [];
  after(async () => {
    for (const client of clients) client.close();
    for (const server of servers) await server.close();
  });
  const serve = async (onConnection: (socket: Socket) => void) => {
    const server = await rawServer(onConnection);
    servers.push(server);
    return server;
  };
  const client = (pool?: BufferPool) => {
    const fetchRaw = createClient({}, pool);
    clients.push(fetchRaw);
    return fetchRaw;
  };

  it("passes a gzip body and its Content-Encoding through untouched", async () => {
    const gzipped = gzipSync(Buffer.from("metric_a 1\n".repeat(5000)));
    const server = await serve((socket) =>
      onRequests(socket, () => {
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gzipped.length}\r\n\r\n`,
        );
        socket.write(gzipped);
      })
    );
    const response = await client()(
      new Request(`${server.url}/metrics`, { headers: { "Accept-Encoding": "gzip" } }),
    );
    assert.equal(response.headers.get("content-encoding"), "gzip");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(gzipped));
  });

  it("decodes a chunked body with extensions and trailers, split across reads", async () => {
    const wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=x\r\nhello\r\n1\r\n \r\nA\r\nchunked!!!\r\n0\r\nTrailer: yes\r\n\r\n";
    const server = await serve((socket) =>
      onRequests(socket, async () => {
        socket.setNoDelay(true);
        for (let i = 0; i < wire.length; i += 7) {
          socket.write(wire.slice(i, i + 7), "latin1");
          await delay(2);
        }
      })
    );
    const response = await client()(new Request(`${server.url}/`));
    assert.equal(await response.text(), "hello chunked!!!");
  });

  it("reads a body without framing until the server closes", async () => {
    const server = await serve((socket) =>
      onRequests(socket, () => socket.end("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"))
    );
    assert.equal(await (await client()(new Request(`${server.url}/`))).text(), "until the end");
  });

  it("sends a streamed body chunked, and raw when Content-Length is set", async () => {
    const requests: string[] = [];
    // Both bodies below end with "!" (after the chunked framing, "0\r\n\r\n" ends the chunked one).
    const server = await serve((socket) =>
      recordRequests(
        socket,
        requests,
        ["!", "0\r\n\r\n"],
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
      )
    );
    const streamed = () => new Blob(["first,", "second!"]).stream();
    const fetchRaw = client();
    const init = { method: "POST", duplex: "half" } as RequestInit;
    assert.equal(
      (await fetchRaw(new Request(`${server.url}/push`, { ...init, body: streamed() }))).status,
      204,
    );
    const sized = { ...init, body: streamed(), headers: { "Content-Length": "13" } };
    assert.equal((await fetchRaw(new Request(`${server.url}/push`, sized))).status, 204);
    assert.match(requests[0]!, /^POST \/push HTTP\/1\.1\r\n[^]*transfer-encoding: chunked\r\n\r\n/i);
    assert.match(requests[0]!, /\r\n\r\n(?:[0-9a-f]+\r\n[^\r]*\r\n)+0\r\n\r\n$/);
    assert.ok(requests[0]!.includes("first,") && requests[0]!.includes("second!"), requests[0]);
    assert.match(requests[1]!, /content-length: 13\r\n\r\nfirst,second!$/i);
  });

  it("sends fetch's (URL, init) form as given: header case kept, a byte body framed by its length", async () => {
    const requests: string[] = [];
    const server = await serve((socket) =>
      recordRequests(socket, requests, ["!"], "HTTP/1.1 204 No Content\r\n\r\n")
    );
    const fetchRaw = client();
    const url = new URL(`${server.url}/push?x=1`);
    const body = new TextEncoder().encode("héllo!");
    const response = await fetchRaw(url, { method: "post", headers: [["PushProx-Accept-Idle", "1"]], body });
    assert.equal(response.status, 204);
    assert.equal(
      requests[0],
      `POST /push?x=1 HTTP/1.1\r\nHost: ${url.host}\r\nPushProx-Accept-Idle: 1\r\nContent-Length: 7\r\n\r\nhÃ©llo!`,
    );
    await assert.rejects(
      fetchRaw(url, { headers: [["Bad Name", "1"]] }),
      { name: "TypeError", message: 'invalid header name "Bad Name"' },
    );
    assert.equal(server.accepted(), 1, "a refused request never dials");
  });

  it("sends a request through a proxy in absolute form, keeping the proxy's connection alive", async () => {
    const heads: string[] = [];
    const proxy = await serve((socket) =>
      onRequests(socket, (head) => {
        heads.push(head);
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      })
    );
    const fetchRaw = client();
    for (const host of ["web-1:9100", "web-2:9100"]) {
      const response = await fetchRaw(`http://${host}/metrics?x=1`, {
        headers: [["Accept", "*/*"]],
        proxy: proxy.url,
      });
      assert.equal(await response.text(), "ok");
    }
    assert.deepEqual(heads.map((head) => head.split("\r\n").slice(0, 2)), [
      ["GET http://web-1:9100/metrics?x=1 HTTP/1.1", "Host: web-1:9100"],
      ["GET http://web-2:9100/metrics?x=1 HTTP/1.1", "Host: web-2:9100"],
    ]);
    assert.equal(proxy.accepted(), 1);
  });

  it("reuses one keep-alive connection for requests in a row", async () => {
    const server = await serve((socket) =>
      onRequests(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    );
    const fetchRaw = client();
    for (let i = 0; i < 3; i++) {
      assert.equal(await (await fetchRaw(new Request(`${server.url}/`))).text(), "ok");
    }
    assert.equal(server.accepted(), 1);
  });

  it("hands a body that came with its head over whole and frees the connection before it is read", async () => {
    const server = await serve((socket) =>
      onRequests(socket, (head) => {
        const body = head.startsWith("GET /a ") ? "first" : "second";
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      })
    );
    const fetchRaw = client();
    const first = await fetchRaw(new Request(`${server.url}/a`));
    // The first body is still unread: the connection went back to the idle list all the same.
    const second = await fetchRaw(new Request(`${server.url}/b`));
    assert.deepEqual([await first.text(), await second.text(), server.accepted()], ["first", "second", 1]);
  });

  it("closes a kept-alive connection left unused for the idle time, and reuses it before then", async () => {
    let closed = 0;
    const server = await serve((socket) => {
      socket.on("end", () => closed++);
      onRequests(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    });
    const idleClient = createRawHttpClient(dialer(), { idleMs: 150 });
    clients.push(idleClient);
    await (await idleClient(new Request(`${server.url}/`))).text();
    await delay(50);
    await (await idleClient(new Request(`${server.url}/`))).text();
    assert.deepEqual([server.accepted(), closed], [1, 0], "reused within the idle time");
    await delay(400);
    assert.equal(closed, 1, "closed by the client once idle");
    await (await idleClient(new Request(`${server.url}/`))).text();
    assert.equal(server.accepted(), 2);
  });

  it("does not reuse a connection that sent bytes past the declared body", async () => {
    const server = await serve((socket) =>
      onRequests(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokSTRAY"))
    );
    const fetchRaw = client();
    assert.equal(await (await fetchRaw(new Request(`${server.url}/`))).text(), "ok");
    assert.equal(await (await fetchRaw(new Request(`${server.url}/`))).text(), "ok");
    assert.equal(server.accepted(), 2);
  });

  it("sends a small body with its head in one write, checked against its Content-Length", async () => {
    const chunks: string[] = [];
    const server = await serve((socket) => {
      socket.on("data", (piece: Buffer) => chunks.push(piece.toString("latin1")));
      onRequests(socket, () => socket.write("HTTP/1.1 204 No Content\r\n\r\n"));
    });
    const fetchRaw = client();
    const body = new TextEncoder().encode("node1.example");
    const response = await fetchRaw(
      new Request(`${server.url}/poll`, { method: "POST", headers: { "Content-Length": "13" }, body }),
    );
    assert.equal(response.status, 204);
    assert.equal(chunks.length, 1, "head and body arrived in one piece");
    assert.match(chunks[0]!, /^POST \/poll HTTP\/1\.1\r\n[^]*content-length: 13\r\n\r\nnode1\.example$/i);
    const lying = new Request(`${server.url}/poll`, {
      method: "POST",
      headers: { "Content-Length": "3" },
      body,
    });
    await assert.rejects(fetchRaw(lying), /request body has 13 bytes, its Content-Length says 3/);
  });

  it("stops reading from the server while the body's consumer does not read", async () => {
    const total = 32 << 20;
    let handedOff = 0;
    const server = await serve((socket) =>
      onRequests(socket, () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
        const piece = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (handedOff < total) {
            handedOff += piece.length;
            if (!socket.write(piece)) return void socket.once("drain", pump);
          }
        };
        pump();
      })
    );
    const response = await client()(new Request(`${server.url}/`));
    const reader = response.body!.getReader();
    await reader.read();
    await delay(300);
    assert.ok(handedOff < total / 2, `the server got rid of ${handedOff} of ${total} bytes meanwhile`);
    let size = 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) size += next.value.length;
    assert.ok(size > total / 2 && handedOff === total, `read ${size}, server sent ${handedOff}`);
  });

  it("rejects with the abort reason when aborted while waiting for the head", async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = client()(new Request(`${server.url}/`, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error("scrape timeout reached")), 50);
    await assert.rejects(pending, /scrape timeout reached/);
  });

  it("rejects at once when aborted while dialling with a dialer that ignores the signal", async () => {
    let closed = 0;
    let connect: (conn: ByteConn) => void = () => {};
    let dialled: () => void = () => {};
    const dialling = new Promise<void>((resolve) => (dialled = resolve));
    const deaf: Dial = () => {
      dialled();
      return new Promise((resolve) => (connect = resolve));
    };
    const fetchRaw = createRawHttpClient(deaf);
    clients.push(fetchRaw);
    const controller = new AbortController();
    const pending = fetchRaw(new URL("https://127.0.0.1:9/"), { signal: controller.signal });
    await dialling;
    controller.abort(new Error("scrape budget spent"));
    await assert.rejects(pending, /scrape budget spent/);
    // The handshake finishing later must not leak the connection.
    connect({
      read: () => Promise.resolve(null),
      write: (b) => Promise.resolve(b.length),
      close: () => void closed++,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(closed, 1);
  });

  it("errors the body, naming the framing, when the server closes early", async () => {
    const server = await serve((socket) =>
      onRequests(socket, () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.."))
    );
    const response = await client()(new Request(`${server.url}/`));
    await assert.rejects(text(response.body), /closed before the response body ended \(content-length\)/);
  });

  it("accepts a response head of up to 64 KiB and refuses a longer one", async () => {
    const server = await serve((socket) =>
      onRequests(socket, (head) => {
        const size = head.startsWith("GET /big ") ? 70_000 : 60_000;
        socket.write(`HTTP/1.1 200 OK\r\nX-Pad: ${"p".repeat(size)}\r\nContent-Length: 2\r\n\r\nok`);
      })
    );
    const fetchRaw = client();
    assert.equal(await (await fetchRaw(new Request(`${server.url}/fits`))).text(), "ok");
    await assert.rejects(fetchRaw(new Request(`${server.url}/big`)), /response head exceeds 65536 bytes/);
  });

  it("rejects a malformed status line, quoting it", async () => {
    const server = await serve((socket) => onRequests(socket, () => socket.end("SPDY/9 OK\r\n\r\n")));
    await assert.rejects(client()(new Request(`${server.url}/`)), /malformed status line "SPDY\/9 OK"/);
  });

  const relay = async (total: number) => {
    const expected = createHash("sha256").update(Buffer.alloc(total, 0x62)).digest("hex");
    const target = await serve((socket) =>
      onRequests(socket, () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
        socket.write(Buffer.alloc(total, 0x62));
      })
    );
    let digest = "";
    const sink = await serve((socket) =>
      onRequests(socket, (_head, received) => {
        const hash = createHash("sha256");
        let size = 0;
        const take = (piece: Buffer) => {
          hash.update(piece);
          size += piece.length;
          if (size < total) return;
          socket.off("data", take);
          digest = hash.digest("hex");
          socket.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        };
        socket.on("data", take);
        take(received());
      })
    );
    const pool = new BufferPool();
    const response = await client(pool)(new Request(`${target.url}/`));
    const seen: Uint8Array[] = [];
    const tapped = response.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, c) => void (seen.push(chunk), c.enqueue(chunk)),
      }),
    );
    const push = new Request(`${sink.url}/push`, {
      method: "POST",
      body: tapped,
      headers: { "Content-Length": String(total) },
      duplex: "half",
    } as RequestInit);
    assert.equal((await client(pool)(push)).status, 200);
    assert.equal(digest, expected);
    return seen;
  };

  it("relays a target body into a push intact, recycling each written buffer", async () => {
    const seen = await relay(900 * 1024);
    // A written chunk's memory went back to the pool: a view kept past that point is empty, never reused bytes.
    assert.ok(seen.length > 0 && seen.every((chunk) => chunk.byteLength === 0));
  });

  it("relays a large body of bounded size intact too (on Bun, the socket's own pieces, not pool buffers)", async () => {
    await relay(4 << 20);
  });

  it("refuses insecureSkipVerify under Deno with a TypeError naming Deno's flag", {
    skip: typeof Deno === "undefined" ? "Deno only: Bun's connect() can skip verification" : false,
  }, () => {
    assert.throws(
      () => denoDialer({ insecureSkipVerify: true }),
      (error: unknown) =>
        error instanceof TypeError && /--unsafely-ignore-certificate-errors/.test(error.message),
    );
  });

  it("speaks HTTPS to a server whose certificate the given CA vouches for, and refuses one it does not", async () => {
    const { ca, cert, key } = makeTestTls();
    const server = createTlsServer({ cert, key }, (socket) => {
      socket.on("error", () => {}); // a client that refused our certificate hangs up mid-handshake
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret"));
    });
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
    try {
      const trusting = createClient({ ca });
      clients.push(trusting);
      assert.equal(await text((await trusting(new Request(url))).body), "secret");
      const untrusting = createClient({});
      clients.push(untrusting);
      await assert.rejects(untrusting(new Request(url)));
      if (typeof Deno === "undefined") {
        // Bun's connect() can skip verification (`insecureSkipVerify`); Deno refuses it (test above).
        const skipping = createClient({ insecureSkipVerify: true });
        clients.push(skipping);
        assert.equal(await text((await skipping(new Request(url))).body), "secret");
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
