import assert from "node:assert/strict";
import { connect } from "node:net";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { serveBunRaw } from "./server.ts";
import { bunListen } from "../../runtime/bun/sockets.ts";
import { makeTestTls } from "../testing/tls.ts";
import type { Handler, Server } from "../../runtime/types.ts";

// Bun's listen() exists only under Bun; under Deno these tests are skipped (connection_test covers the logic).
const onBun = "Bun" in globalThis;

/** Sends `text` on a fresh connection and collects everything until the server closes or `ms` pass. */
function exchange(port: number, text: string, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let out = "";
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on("data", (d) => out += d.toString("latin1"));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const echo: Handler = async (request, info) => {
  const body = request.body === null ? "" : await request.text();
  return new Response(
    `${request.method} ${request.url} absolute=${info.absoluteForm} body=${body.length}:${body.slice(0, 20)}`,
  );
};

describe("serveBunRaw()", { skip: !onBun }, () => {
  let server: Server;
  let handler: Handler = echo;
  before(async () => {
    server = await serveBunRaw(
      { hostname: "127.0.0.1", port: 0, handler: (r, i) => handler(r, i) },
      bunListen,
    );
  });
  after(() => server.close());

  it("serveBunRaw() tells an absolute-form scrape from a request for its own path", async () => {
    handler = echo;
    const out = await exchange(
      server.port,
      "GET http://node1:9100/metrics HTTP/1.1\r\nHost: node1:9100\r\n\r\n" +
        "GET /metrics HTTP/1.1\r\nHost: proxy:8080\r\nConnection: close\r\n\r\n",
    );
    assert.match(out, /GET http:\/\/node1:9100\/metrics absolute=true/);
    assert.match(out, /GET http:\/\/proxy:8080\/metrics absolute=false/);
  });

  it("serveBunRaw() answers pipelined requests in order on one connection, then honours Connection: close", async () => {
    handler = echo;
    const out = await exchange(
      server.port,
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
        "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
        "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
        "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      3000,
    );
    const bodies = [...out.matchAll(/\r\n\r\n([A-Z]+ http:\/\/a\/\d[^H]*)/g)].map((m) => m[1]);
    assert.deepEqual(bodies, [
      "GET http://a/1 absolute=false body=0:",
      "POST http://a/2 absolute=false body=5:hello",
      "POST http://a/3 absolute=false body=5:abcde",
      "GET http://a/4 absolute=false body=0:",
    ]);
    assert.match(out, /connection: close\r\n/);
  });

  it("serveBunRaw() delivers earlier pipelined replies whole when a later handler fails, then a 500", async () => {
    const big = "x".repeat(512 * 1024);
    handler = (request) => {
      if (new URL(request.url).pathname === "/fail") throw new Error("handler bug");
      return new Response(big, { headers: { "content-length": String(big.length) } });
    };
    const out = await exchange(
      server.port,
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /fail HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
      3000,
    );
    assert.ok(
      out.includes(`\r\n\r\n${big}HTTP/1.1 500 Internal Server Error\r\n`),
      `got ${out.length} bytes, ending ${JSON.stringify(out.slice(-200))}`,
    );
    assert.equal(out.split("HTTP/1.1 ").length - 1, 2, "the request after the failure is not served");
  });

  it("serveBunRaw() streams a large request body through to the handler intact", async () => {
    handler = async (request) => {
      const bytes = new Uint8Array(await request.arrayBuffer());
      return new Response(createHash("sha256").update(bytes).digest("hex"));
    };
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const response = await fetch(`http://127.0.0.1:${server.port}/push`, { method: "POST", body });
    assert.equal(await response.text(), createHash("sha256").update(body).digest("hex"));
  });

  it("serveBunRaw() answers a second chunked push on the same keep-alive connection", async () => {
    handler = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 20)); // not reading yet when the body arrives
      return new Response(String((await request.text()).length));
    };
    const chunk = "x".repeat(17_000);
    const push = `POST /push HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`;
    const answers = await new Promise<string>((resolve) => {
      const socket = connect(server.port, "127.0.0.1", () => socket.write(push));
      let out = "";
      let sent = 1;
      setTimeout(() => socket.write(body), 50);
      socket.on("data", (d) => {
        out += d.toString("latin1");
        if (sent === 1 && out.endsWith("\r\n\r\n17000")) {
          sent = 2;
          socket.write(push);
          setTimeout(() => socket.write(body), 50);
        } else if (sent === 2 && out.split("17000").length === 3) socket.destroy();
      });
      socket.on("close", () => resolve(out));
      setTimeout(() => socket.destroy(), 1500);
    });
    assert.equal(answers.split("\r\n\r\n17000").length, 3, "both pushes on one connection are answered");
  });

  it("serveBunRaw() frames a streamed response without a length as chunked, and intact", async () => {
    const piece = new Uint8Array(64 * 1024).fill(0x61);
    handler = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < 40; i++) controller.enqueue(piece);
            controller.close();
          },
        }),
      );
    const response = await fetch(`http://127.0.0.1:${server.port}/big`);
    assert.equal(response.headers.get("transfer-encoding"), "chunked");
    assert.equal((await response.arrayBuffer()).byteLength, 40 * piece.length);
  });

  it("serveBunRaw() sends the declared Content-Length and no body for HEAD and 204", async () => {
    handler = (request) =>
      request.url.endsWith("/empty")
        ? new Response(null, { status: 204 })
        : new Response("twelve bytes", { headers: { "content-length": "12" } });
    const out = await exchange(
      server.port,
      "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\nGET /empty HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    const [head, second] = out.split(/(?=HTTP\/1\.1 204)/);
    assert.match(head!, /^HTTP\/1\.1 200 OK\r\n[^]*content-length: 12\r\n\r\n$/, "HEAD: length, no body");
    assert.match(second!, /^HTTP\/1\.1 204 No Content\r\n[^]*\r\n\r\n$/, "204: no body");
    assert.doesNotMatch(second!, /content-length|transfer-encoding/);
  });

  it("serveBunRaw() answers an unparsable head with 400 and a one-line reason", async () => {
    const out = await exchange(server.port, "NOT HTTP AT ALL\r\n\r\n");
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(out, /\r\n\r\nmalformed request line "NOT HTTP AT ALL"\n$/);
  });

  it("serveBunRaw() answers an oversized head with 431", async () => {
    const out = await exchange(
      server.port,
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
    );
    assert.match(out, /^HTTP\/1\.1 431 /);
  });

  it("serveBunRaw() aborts the request's signal when the peer closes a pending poll", async () => {
    let aborted!: () => void;
    const abortSeen = new Promise<void>((resolve) => aborted = resolve);
    handler = (request) => {
      request.signal.addEventListener("abort", () => aborted());
      return new Promise<Response>(() => {});
    };
    await exchange(server.port, "POST /poll HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nhost", 200);
    await abortSeen; // the test times out if the abort never comes
  });
});

describe("serveBunRaw() with TLS", { skip: !onBun }, () => {
  it("serveBunRaw() serves HTTPS with the given certificate", async () => {
    const tls = makeTestTls();
    const server = await serveBunRaw({ hostname: "127.0.0.1", port: 0, tls, handler: echo }, bunListen);
    try {
      // @ts-expect-error: `tls` is Bun's fetch extension.
      const response = await fetch(`https://127.0.0.1:${server.port}/t`, { tls: { ca: tls.ca } });
      assert.equal(
        await response.text(),
        "GET https://127.0.0.1:" + server.port + "/t absolute=false body=0:",
      );
    } finally {
      await server.close();
    }
  });
});
