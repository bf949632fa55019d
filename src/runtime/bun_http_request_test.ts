import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headEnd, interpretHead } from "./bun_http_request.ts";

const enc = (text: string) => new TextEncoder().encode(text);

describe("headEnd()", () => {
  it("headEnd() finds the blank line after CRLF or bare LF heads", () => {
    assert.equal(headEnd(enc("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 0), 27);
    assert.equal(headEnd(enc("GET / HTTP/1.1\nHost: a\n\nbody"), 0), 24);
  });

  it("headEnd() reports -1 while the head is incomplete, even when it ends in a lone CR", () => {
    assert.equal(headEnd(enc("GET / HTTP/1.1\r\nHost: a\r\n"), 0), -1);
    assert.equal(headEnd(enc("GET / HTTP/1.1\r\nHost: a\r\n\r"), 0), -1);
  });
});

describe("interpretHead()", () => {
  it("interpretHead() marks an absolute-form request line and keeps its URL", () => {
    const head = interpretHead(
      enc("GET http://node1:9100/metrics HTTP/1.1\r\nHost: node1:9100\r\n\r\n"),
      false,
      8192,
    );
    assert.equal(head.absoluteForm, true);
    assert.equal(head.url, "http://node1:9100/metrics");
  });

  it("interpretHead() builds the URL of an origin-form request from Host and the listener's scheme", () => {
    const head = interpretHead(
      enc("POST /poll HTTP/1.1\r\nHost: proxy:8080\r\nContent-Length: 5\r\n\r\n"),
      true,
      8192,
    );
    assert.equal(head.absoluteForm, false);
    assert.equal(head.url, "https://proxy:8080/poll");
    assert.deepEqual(head.body, { kind: "length", length: 5 });
    assert.equal(head.keepAlive, true);
  });

  it("interpretHead() closes HTTP/1.0 connections unless they ask for keep-alive", () => {
    assert.equal(interpretHead(enc("GET / HTTP/1.0\r\n\r\n"), false, 8192).keepAlive, false);
    assert.equal(
      interpretHead(enc("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), false, 8192).keepAlive,
      true,
    );
    assert.equal(
      interpretHead(enc("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), false, 8192).keepAlive,
      false,
    );
  });

  it("interpretHead() refuses Content-Length together with Transfer-Encoding", () => {
    assert.throws(
      () =>
        interpretHead(
          enc("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
          false,
          8192,
        ),
      /both Content-Length and Transfer-Encoding/,
    );
  });

  it("interpretHead() refuses a transfer coding other than chunked", () => {
    assert.throws(
      () => interpretHead(enc("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"), false, 8192),
      /unsupported Transfer-Encoding "gzip"/,
    );
  });

  it("interpretHead() refuses an HTTP/1.1 request without Host", () => {
    assert.throws(() => interpretHead(enc("GET / HTTP/1.1\r\n\r\n"), false, 8192), /without a Host header/);
  });
});
