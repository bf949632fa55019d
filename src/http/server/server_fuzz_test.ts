import assert from "node:assert/strict";
import { connect } from "node:net";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { serveBunRaw } from "./server.ts";
import { bunListen } from "../../runtime/bun/sockets.ts";
import { type Case, echoText, parseReplies, Random, verdict } from "../testing/http_fuzz.ts";
import { enc, fuzzCases, SMUGGLED } from "../testing/http_fuzz_cases.ts";
import type { Handler, Server } from "../../runtime/types.ts";

// Bun's listen() exists only under Bun; under Deno this file is skipped, and says so in the test report.
const onBun = "Bun" in globalThis;
const SKIP = onBun ? false : "serveBunRaw() runs on Bun's listen(): run this file with `bun test`";
/** Replay a failure with FUZZ_SEED=<seed printed in the failure message>. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
/** Writes `pieces` (a tick apart, so they arrive as separate reads), collects replies until close or idle. */
function exchange(port: number, c: Case): Promise<{ text: string; closed: boolean }> {
  // How long to wait for more: a case the server must close waits for the close (however busy the machine);
  // one it may leave open waits until the replies it is owed are in, then a little for any it is not owed.
  const e = c.expect;
  const owed = e.kind === "echo" && !e.closes ? e.replies.length : e.kind === "loose" ? 0 : Infinity;
  const wait = (got: number) => c.abortMs ?? (got >= owed ? (owed === 0 ? 300 : 100) : 10_000);
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let text = "";
    let closed = false;
    let got = 0;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number) => {
      clearTimeout(idle);
      idle = setTimeout(() => socket.destroy(), ms);
    };
    socket.on("connect", async () => {
      for (const [i, piece] of c.pieces.entries()) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1));
        if (socket.destroyed) return;
        socket.write(enc(piece));
      }
      arm(wait(got));
    });
    socket.on("data", (data) => {
      text += data.toString("latin1");
      if (c.abortMs !== undefined) return;
      got = parseReplies(text, false).responses.filter((x) => x.status >= 200).length;
      arm(wait(got));
    });
    socket.on("end", () => closed = true);
    socket.on("error", () => closed = true);
    socket.on("close", () => {
      clearTimeout(idle);
      resolve({ text, closed });
    });
  });
}

/** Runs `cases` over `parallel` connections at a time; returns the failures. */
async function run(port: number, cases: Case[], parallel = 32): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const { text, closed } = await exchange(port, c);
      const wrong = verdict(c, text, closed);
      if (wrong !== null) {
        failures.push(`${c.name} ${JSON.stringify(c.pieces.join("").slice(0, 200))}: ${wrong}`);
      }
    }
  }));
  return failures;
}

describe("serveBunRaw() under hostile input", { skip: SKIP }, () => {
  let server: Server;
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let holdAborted = false;
  // Errors that escape the server to the process. Bun's test runner also fails the running test on an
  // unhandled rejection by itself; these listeners catch what reaches the process by other paths.
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => void escaped.push(error);
  const handler: Handler = async (request, info) => {
    const path = new URL(request.url).pathname;
    if (path === "/hold") {
      const body = await request.text();
      request.signal.addEventListener("abort", () => holdAborted = true);
      await released;
      return new Response(`held:${body}`);
    }
    if (path === "/stream") {
      let i = 0;
      return new Response(
        new ReadableStream({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            if (i === 3) controller.close();
            else controller.enqueue(new TextEncoder().encode(`part${i++}`));
          },
        }),
      );
    }
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(echoText(request.method, request.url, info.absoluteForm, body));
  };

  before(async () => {
    process.on("unhandledRejection", onEscape);
    process.on("uncaughtException", onEscape);
    server = await serveBunRaw({ hostname: "127.0.0.1", port: 0, handler }, bunListen);
  });
  after(async () => {
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
    await server.close();
  });

  // ~4 s on an idle 2-core machine; the timeout leaves room for a busy one.
  it(
    "serveBunRaw() survives thousands of hostile requests, answers each well-formed, and serves no smuggled request",
    {
      timeout: 30_000,
    },
    async () => {
      const held = exchange(server.port, {
        name: "held poll",
        pieces: [
          "POST /hold HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\nContent-Length: 9\r\n\r\nheld-host",
        ],
        expect: { kind: "loose" },
        abortMs: 60_000,
      });
      const cases = fuzzCases(new Random(SEED));
      const failures = await run(server.port, cases);
      if (process.env.FUZZ_DUMP) { for (const f of failures) console.log(f.slice(0, 700)); }
      assert.equal(
        failures.length,
        0,
        `seed ${SEED}: ${failures.length} of ${cases.length} cases failed:\n${
          failures.slice(0, 4).join("\n")
        }`,
      );

      const fresh = await exchange(server.port, {
        name: "after",
        pieces: ["GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"],
        expect: { kind: "loose" },
      });
      assert.equal(
        parseReplies(fresh.text, true).responses[0]?.body,
        echoText("GET", "http://a/after", false, enc("")),
      );
      assert.equal(holdAborted, false, "the held poll was not disturbed");
      release();
      assert.match((await held).text, /\r\n\r\nheld:held-host$/);
      assert.deepEqual(escaped, [], `seed ${SEED}: errors escaped the server`);
    },
  );

  it("serveBunRaw() gives the same answers however the bytes are split", async () => {
    const inputs: Case[] = [
      {
        name: "pipeline",
        pieces: [
          "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyzPOST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;e=1\r\nab\r\n1\r\nc\r\n0\r\nT: 1\r\n\r\nGET /d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        ],
        expect: {
          kind: "echo",
          closes: true,
          replies: [
            echoText("GET", "http://a/a", false, enc("")),
            echoText("POST", "http://a/b", false, enc("xyz")),
            echoText("POST", "http://a/c", false, enc("abc")),
            echoText("GET", "http://a/d", false, enc("")),
          ],
        },
      },
      {
        name: "CL+TE",
        pieces: [
          "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
          SMUGGLED,
        ],
        expect: { kind: "refuse", replies: [echoText("GET", "http://a/a", false, enc(""))], statuses: [400] },
      },
    ];
    const cases = inputs.flatMap((c) => {
      const text = c.pieces[0]!;
      return Array.from(
        { length: text.length - 1 },
        (_, at) => ({ ...c, pieces: [text.slice(0, at + 1), text.slice(at + 1)] }),
      );
    });
    const failures = await run(server.port, cases);
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${cases.length} splits failed:\n${failures.slice(0, 4).join("\n")}`,
    );
  });

  it("serveBunRaw() sends HTTP/1.0 no chunks and keeps replies pipelined before a broken chunked body", async () => {
    for (const connection of ["", "Connection: keep-alive\r\n"]) {
      const { text, closed } = await exchange(server.port, {
        name: "1.0",
        pieces: [`GET /stream HTTP/1.0\r\n${connection}\r\n`],
        expect: { kind: "loose" },
      });
      const reply = parseReplies(text, closed).responses[0];
      assert.equal(reply?.headers.get("transfer-encoding"), undefined, `chunked to HTTP/1.0 ${connection}`);
      assert.equal(reply?.body, "part0part1part2");
    }
    const bad =
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    const cases = Array.from({ length: 200 }, (): Case => ({
      name: "before a bad chunk",
      pieces: [bad],
      expect: {
        kind: "refuse",
        replies: [echoText("GET", "http://a/a", false, enc(""))],
        statuses: [400, 0],
      },
    }));
    const failures = await run(server.port, cases);
    assert.equal(failures.length, 0, `${failures.length} of ${cases.length} lost a reply:\n${failures[0]}`);
  });
});
