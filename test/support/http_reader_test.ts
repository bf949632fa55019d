import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bodyText, latin1Bytes } from "./http_message.ts";
import { HttpReader } from "./http_reader.ts";

describe("HttpReader", () => {
  it("reads pipelined messages that arrive a byte at a time", async () => {
    const reader = new HttpReader();
    const first = reader.read("response", 1000);
    const wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    for (const byte of latin1Bytes(wire)) reader.push(new Uint8Array([byte]));
    assert.equal(bodyText(await first), "abc");
    assert.equal(bodyText(await reader.read("response", 1000)), "hi");
  });

  it("completes a response without framing when the peer closes", async () => {
    const reader = new HttpReader();
    reader.push(latin1Bytes("HTTP/1.0 500 Internal Server Error\r\n\r\nboom"));
    const pending = reader.read("response", 1000);
    reader.end();
    assert.equal(bodyText(await pending), "boom");
  });

  it("times out without swallowing a message that arrives later", async () => {
    const reader = new HttpReader();
    await assert.rejects(reader.read("response", 20), /Timed out/);
    reader.push(latin1Bytes("HTTP/1.1 204 No Content\r\n\r\n"));
    const message = await reader.read("response", 1000);
    assert.equal(message.startLine, "HTTP/1.1 204 No Content");
  });

  it("rejects when the stream ends before a message", async () => {
    const reader = new HttpReader();
    reader.end();
    await assert.rejects(reader.read("request", 1000), SyntaxError);
  });
});
