import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ResponseParser } from "./response_parser.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `text` one byte at a time: the harshest split a socket could produce. */
function feedBytewise(parser: ResponseParser, text: string) {
  const all = bytes(text);
  return Array.from(all).flatMap((byte) => parser.feed(Uint8Array.of(byte)));
}

describe("ResponseParser", () => {
  it("ResponseParser.feed() reads a Content-Length body and counts its bytes", () => {
    const [response, ...rest] = new ResponseParser().feed(
      bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
    );
    assert.equal(rest.length, 0);
    assert.equal(response!.status, 200);
    assert.equal(response!.bodyBytes, 5);
    assert.equal(response!.wireBytes, 43);
  });

  it("ResponseParser.feed() removes chunk framing and reads trailers, even split byte by byte", () => {
    const text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na;x=y\r\n0123456789\r\n0\r\nT: 1\r\n\r\n";
    const responses = feedBytewise(new ResponseParser(), text);
    assert.equal(responses.length, 1);
    assert.equal(responses[0]!.bodyBytes, 13);
    assert.equal(responses[0]!.wireBytes, text.length);
  });

  it("ResponseParser.feed() returns two keep-alive responses that arrive in one chunk", () => {
    const one = "HTTP/1.1 204 No Content\r\n\r\n";
    const two = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\nContent-Encoding: gzip\r\n\r\nno";
    const responses = new ResponseParser().feed(bytes(one + two));
    assert.deepEqual(responses.map((r) => [r.status, r.bodyBytes]), [[204, 0], [500, 2]]);
    assert.equal(responses[1]!.headers.get("content-encoding"), "gzip");
  });

  it("ResponseParser.end() completes a body delimited by the connection closing", () => {
    const parser = new ResponseParser();
    assert.deepEqual(parser.feed(bytes("HTTP/1.0 200 OK\r\n\r\nuntil the end")), []);
    const last = parser.end();
    assert.equal(last?.bodyBytes, 13);
    assert.equal(last?.closeDelimited, true);
  });

  it("ResponseParser.end() rejects a connection cut inside a Content-Length body", () => {
    const parser = new ResponseParser();
    parser.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
    assert.throws(() => parser.end(), SyntaxError);
  });

  it("ResponseParser.feed() rejects a status line that is not HTTP", () => {
    assert.throws(
      () => new ResponseParser().feed(bytes("SSH-2.0-OpenSSH\r\n\r\n")),
      /Cannot parse status line/,
    );
  });

  it("ResponseParser.feed() rejects a chunk size that is not hexadecimal", () => {
    const parser = new ResponseParser();
    assert.throws(
      () => parser.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")),
      /Cannot parse chunk size "zz"/,
    );
  });
});
