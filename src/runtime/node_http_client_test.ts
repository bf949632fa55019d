import { describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { createNodeHttpClient } from "./node_http_client.ts";
import { makeTestTls } from "./_test_tls.ts";

/** A server whose `/slow` delays its head, or sends the head at once and its body only after `delayMs`. */
async function slowServer(delayMs: number, delayed: "head" | "body" = "body") {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = http.createServer((req, res) => {
    if (req.url === "/slow" && delayed === "head") {
      timers.add(setTimeout(() => res.end("late\n"), delayMs));
    } else if (req.url === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.flushHeaders();
      const timer = setTimeout(() => res.end("late body\n"), delayMs);
      timers.add(timer);
    } else {
      res.end("quick\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { base, close };
}

describe("createNodeHttpClient()", () => {
  it("rejects at once when aborted while the head is awaited, also on a reused keep-alive socket", async () => {
    const { base, close } = await slowServer(3000, "head");
    const rawFetch = createNodeHttpClient();
    try {
      // A first exchange leaves a pooled keep-alive socket behind: the case Deno's own abort handling misses.
      assert.equal(await (await rawFetch(new Request(`${base}/quick`))).text(), "quick\n");
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(new Error("scrape deadline")), 100);
      await assert.rejects(rawFetch(new Request(`${base}/slow`, { signal: controller.signal })));
      const elapsed = performance.now() - started;
      assert.ok(
        elapsed < 2000,
        `rejected after ${elapsed.toFixed(0)} ms: at the server's answer, not at the abort`,
      );
    } finally {
      await close();
    }
  });

  it("ends a body still streaming as soon as the request is aborted, also on a reused keep-alive socket", async () => {
    const { base, close } = await slowServer(3000);
    const rawFetch = createNodeHttpClient();
    try {
      // A first exchange leaves a pooled keep-alive socket behind: the case Deno's own abort handling misses.
      assert.equal(await (await rawFetch(new Request(`${base}/quick`))).text(), "quick\n");
      const controller = new AbortController();
      const response = await rawFetch(new Request(`${base}/slow`, { signal: controller.signal }));
      assert.equal(response.status, 200);
      const started = performance.now();
      setTimeout(() => controller.abort(new Error("scrape deadline")), 100);
      await assert.rejects(response.text());
      const elapsed = performance.now() - started;
      assert.ok(
        elapsed < 2000,
        `the body ended ${elapsed.toFixed(0)} ms after the request started, not at the abort`,
      );
    } finally {
      await close();
    }
  });

  it("keeps gzip bytes and Content-Encoding exactly as the server sent them", async () => {
    const gzipped = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": String(gzipped.length) });
      res.end(gzipped);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const rawFetch = createNodeHttpClient();
      const response = await rawFetch(
        new Request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
          headers: { "accept-encoding": "gzip" },
        }),
      );
      assert.equal(response.headers.get("content-encoding"), "gzip");
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), gzipped);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("speaks HTTPS to a server whose certificate the given CA vouches for, and refuses one it does not", async () => {
    const { ca, cert, key } = makeTestTls();
    const server = https.createServer({ cert, key }, (_req, res) => res.end("secret"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const trusting = createNodeHttpClient({ ca });
      assert.equal(await (await trusting(new Request(url))).text(), "secret");
      await assert.rejects(createNodeHttpClient({})(new Request(url)));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
