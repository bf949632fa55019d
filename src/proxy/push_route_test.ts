import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peekPushId, type PushFallback, routePush } from "./push_route.ts";

const encoder = new TextEncoder();
const PUSH = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nId: 1234abcd-0000-4000-8000-000000000000\r\n" +
  "Content-Length: 9\r\n\r\nmetric 1\n";

/** `text` as a stream of pieces of `size` bytes. */
function pieces(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += size));
    },
  });
}

const pushRequest = (headers: Record<string, string> = {}) =>
  new Request("http://proxy:8080/push", {
    method: "POST",
    headers,
    body: pieces(PUSH, 7),
    duplex: "half",
  } as RequestInit);

function fallback(issuer: string | null, seen: { forwarded?: string; body?: string }): PushFallback {
  return {
    hopHeader: "PushProx-Cluster-Hop",
    issuerOf: () => Promise.resolve(issuer),
    forward: async (_request, body, to) => {
      seen.forwarded = to;
      seen.body = await new Response(body).text();
      return new Response(null, { status: 200 });
    },
  };
}

describe("push routing", () => {
  it("peekPushId() finds the pushed head's Id across small pieces and replays every byte", async () => {
    for (const size of [1, 7, 4096]) {
      const { id, body } = await peekPushId(pieces(PUSH, size), 64 * 1024);
      assert.equal(id, "1234abcd-0000-4000-8000-000000000000");
      assert.equal(await new Response(body).text(), PUSH);
    }
  });

  it("peekPushId() gives null for a push without an Id, and still replays it", async () => {
    const text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const { id, body } = await peekPushId(pieces(text, 5), 1024);
    assert.equal(id, null);
    assert.equal(await new Response(body).text(), text);
  });

  it("routePush() hands a push for another proxy's scrape to that proxy, bytes untouched", async () => {
    const seen: { forwarded?: string; body?: string } = {};
    const routed = await routePush(pushRequest(), () => false, fallback("http://proxy-b:8080/", seen), 65536);
    assert.ok(routed instanceof Response);
    assert.equal(seen.forwarded, "http://proxy-b:8080/");
    assert.equal(seen.body, PUSH);
  });

  it("routePush() keeps a push for a scrape of its own, with its whole body", async () => {
    const seen: { forwarded?: string } = {};
    const routed = await routePush(pushRequest(), () => true, fallback("http://proxy-b:8080/", seen), 65536);
    assert.ok(routed instanceof Request);
    assert.equal(seen.forwarded, undefined);
    assert.equal(await routed.text(), PUSH);
  });

  it("routePush() never forwards a push that was forwarded to it", async () => {
    const seen: { forwarded?: string } = {};
    const request = pushRequest({ "PushProx-Cluster-Hop": "http://proxy-a:8080/" });
    const routed = await routePush(request, () => false, fallback("http://proxy-b:8080/", seen), 65536);
    assert.equal(routed, request);
    assert.equal(seen.forwarded, undefined);
  });
});
