import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headEnd, interpretHead } from "./request.ts";

const enc = (text: string) => new TextEncoder().encode(text);

describe("headEnd()", () => {
  it("headEnd() finds the blank line after CRLF or bare LF heads", () => {
    assert.equal(headEnd(enc("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 0), 27);
    assert.equal(headEnd(enc("GET / HTTP/1.1\nHost: a\n\nbody"), 0), 24);
  });

  it("headEnd() does not take line ends before the request line for the end of the head", () => {
    assert.equal(headEnd(enc("\r\n"), 0), -1);
    assert.equal(headEnd(enc("\r\n\r\n"), 0), -1);
    assert.equal(headEnd(enc("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0), 29);
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

  it("interpretHead() ignores an empty line before the request line, as Go's server does", () => {
    const head = interpretHead(enc("\r\nGET /m HTTP/1.1\r\nHost: a\r\n\r\n"), false, 8192);
    assert.equal(head.url, "http://a/m");
    assert.equal(head.bodyOffset, 30);
    assert.throws(
      () => interpretHead(enc("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), false, 8192),
      /empty request line/,
    );
  });

  it("interpretHead() refuses an HTTP/1.1 request without Host", () => {
    assert.throws(() => interpretHead(enc("GET / HTTP/1.1\r\n\r\n"), false, 8192), /without a Host header/);
  });

  it("interpretHead() refuses a Host that would move the URL's path", () => {
    for (const host of ["evil/poll?", "a@b", "a#b", "a\\b", "a b", "a, b"]) {
      assert.throws(
        () => interpretHead(enc(`GET /metrics HTTP/1.1\r\nHost: ${host}\r\n\r\n`), false, 8192),
        /malformed Host header/,
        host,
      );
    }
    assert.equal(
      interpretHead(enc("GET /m HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), false, 8192).url,
      "http://[::1]:8080/m",
    );
  });

  it("interpretHead() refuses two Host lines", () => {
    assert.throws(
      () => interpretHead(enc("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), false, 8192),
      /malformed Host header "a, b"/,
    );
  });

  it("interpretHead() refuses methods the runtime's Request would rewrite", () => {
    // Bun's Request turns "FOO" into GET and "get" into GET: the handler would serve a request never sent.
    for (const method of ["FOO", "-ET", "get", "PROPFIND"]) {
      assert.throws(
        () => interpretHead(enc(`${method} / HTTP/1.1\r\nHost: a\r\n\r\n`), false, 8192),
        new RegExp(`unsupported method "${method}"`),
      );
    }
  });

  it("interpretHead() accepts asterisk-form only for OPTIONS, as the path /*", () => {
    assert.equal(interpretHead(enc("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), false, 8192).url, "http://a/*");
    assert.throws(
      () => interpretHead(enc("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), false, 8192),
      /unsupported request target "\*"/,
    );
  });

  it("interpretHead() refuses authority-form", () => {
    assert.throws(
      () => interpretHead(enc("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), false, 8192),
      /unsupported request target "a:443"/,
    );
  });

  it("interpretHead() closes an HTTP/1.0 connection after a chunked request, even with keep-alive", () => {
    const head = interpretHead(
      enc("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"),
      false,
      8192,
    );
    assert.deepEqual(head.body, { kind: "chunked" });
    assert.equal(head.keepAlive, false);
    assert.equal(head.version, "HTTP/1.0");
  });
});
