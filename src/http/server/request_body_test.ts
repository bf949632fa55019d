import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BodyFlow, RequestBody } from "./request_body.ts";
import { WireError } from "../../wire/types.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** A flow that records what the body asked of its connection. */
function recorder(): BodyFlow & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
    abandoned: () => void calls.push("abandoned"),
  };
}

describe("RequestBody", () => {
  it("gathers a whole body across pieces and leaves the next request's bytes alone", () => {
    const body = RequestBody.whole(5);
    assert.equal(body.gathering, true);
    assert.equal(body.receive(bytes("hel")), 3);
    assert.equal(body.done, false);
    assert.equal(body.receive(bytes("loGET / HTTP/1.1")), 2);
    assert.equal(body.done, true);
    assert.equal(body.gathering, false);
    assert.equal(text(body.bytes), "hello");
  });

  it("streams a Content-Length body, pausing the socket while the reader lags and resuming when it pulls", async () => {
    const flow = recorder();
    const { body, stream } = RequestBody.streamed({ kind: "length", length: 6 }, flow);
    assert.equal(body.receive(bytes("abc")), 3);
    assert.deepEqual(flow.calls, ["pause"], "one unread piece fills the stream");
    const reader = stream.getReader();
    assert.equal(text((await reader.read()).value!), "abc");
    assert.ok(flow.calls.includes("resume"));
    assert.equal(body.receive(bytes("defPOST")), 3);
    assert.equal(body.done, true);
    assert.equal(text((await reader.read()).value!), "def");
    assert.equal((await reader.read()).done, true);
  });

  it("streams a chunked body, saying exactly where it ended", async () => {
    const { body, stream } = RequestBody.streamed({ kind: "chunked" }, recorder());
    const wire = "3\r\nabc\r\n0\r\n\r\nGET";
    assert.equal(body.receive(bytes(wire)), wire.length - 3);
    assert.equal(body.done, true);
    assert.equal(await new Response(stream).text(), "abc");
  });

  it("throws on broken chunking and errors the stream with the same WireError", async () => {
    const { body, stream } = RequestBody.streamed({ kind: "chunked" }, recorder());
    assert.throws(() => body.receive(bytes("zz\r\n")), WireError);
    await assert.rejects(new Response(stream).text(), WireError);
  });

  it("tells the connection when the reader cancels, and errors the stream when the connection breaks", async () => {
    const flow = recorder();
    const cancelled = RequestBody.streamed({ kind: "length", length: 10 }, flow);
    await cancelled.stream.cancel();
    assert.deepEqual(flow.calls, ["abandoned"]);
    const broken = RequestBody.streamed({ kind: "length", length: 10 }, recorder());
    broken.body.fail(new Error("connection closed by peer"));
    await assert.rejects(new Response(broken.stream).text(), /connection closed by peer/);
  });
});
