import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytes, text } from "./_test_utils.ts";
import { parseRequestHead } from "./request_head.ts";
import { parseScrapeRequest, serializeScrapeRequest } from "./scrape_request.ts";
import { WireError } from "./types.ts";

const wireError = (reason: WireError["reason"], pattern: RegExp) => (e: unknown) =>
  e instanceof WireError && e.reason === reason && pattern.test(e.message);

describe("serializeScrapeRequest()", () => {
  it("writes absolute form, Host and User-Agent first, then canonical keys in sorted order", () => {
    const headers = new Headers({
      "x-prometheus-scrape-timeout-seconds": "10",
      "accept": "text/plain",
      "user-agent": "Prometheus/2.42.0",
      "accept-encoding": "gzip",
    });
    const written = serializeScrapeRequest({
      method: "GET",
      url: "http://db1:9100/metrics?_scheme=https",
      headers,
    }, "id-1");
    assert.equal(
      text(written),
      "GET http://db1:9100/metrics?_scheme=https HTTP/1.1\r\n" +
        "Host: db1:9100\r\nUser-Agent: Prometheus/2.42.0\r\nAccept: text/plain\r\nAccept-Encoding: gzip\r\n" +
        "Id: id-1\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n",
    );
  });

  it("uses a given Host header, and writes no User-Agent when none was given", () => {
    const written = serializeScrapeRequest({
      method: "GET",
      url: "http://db1:9100/m",
      headers: [["host", "db1.example:9100"]],
    }, "7");
    assert.equal(text(written), "GET http://db1:9100/m HTTP/1.1\r\nHost: db1.example:9100\r\nId: 7\r\n\r\n");
  });

  it("falls back to the URL's host for an empty Host and leaves out an empty User-Agent", () => {
    const headers = [["Host", ""], ["User-Agent", ""]] as const;
    const written = serializeScrapeRequest({ method: "GET", url: "http://db1:9100/m", headers }, "7");
    assert.equal(text(written), "GET http://db1:9100/m HTTP/1.1\r\nHost: db1:9100\r\nId: 7\r\n\r\n");
  });

  it("writes each value of a repeated header on its own line, in order", () => {
    const written = serializeScrapeRequest({
      method: "GET",
      url: "http://h:1/",
      headers: [["X-B", "2"], ["X-A", "1"], ["x-b", "3"]],
    }, "7");
    assert.match(text(written), /\r\nId: 7\r\nX-A: 1\r\nX-B: 2\r\nX-B: 3\r\n\r\n$/);
  });

  it("replaces an Id the scraper sent and drops framing headers", () => {
    const headers = [["Id", "forged"], ["Content-Length", "5"], ["Transfer-Encoding", "chunked"], [
      "Trailer",
      "x",
    ]] as const;
    const written = text(serializeScrapeRequest({ method: "GET", url: "http://h:1/", headers }, "real"));
    assert.equal(written, "GET http://h:1/ HTTP/1.1\r\nHost: h:1\r\nId: real\r\n\r\n");
  });

  it("keeps hop-by-hop headers such as Proxy-Connection, like upstream", () => {
    const written = text(
      serializeScrapeRequest({
        method: "GET",
        url: "http://h:1/",
        headers: [["Proxy-Connection", "Keep-Alive"]],
      }, "1"),
    );
    assert.match(written, /\r\nProxy-Connection: Keep-Alive\r\n/);
  });

  it("drops the fragment and user info of the URL", () => {
    const written = text(
      serializeScrapeRequest({ method: "GET", url: "http://u:p@h:1/m?q=1#frag", headers: [] }, "1"),
    );
    assert.match(written, /^GET http:\/\/h:1\/m\?q=1 HTTP\/1.1\r\nHost: h:1\r\n/);
  });

  it("refuses a relative URL, a non-http scheme, a bad method and an empty id", () => {
    assert.throws(
      () => serializeScrapeRequest({ method: "GET", url: "/metrics", headers: [] }, "1"),
      TypeError,
    );
    assert.throws(
      () => serializeScrapeRequest({ method: "GET", url: "ftp://h/x", headers: [] }, "1"),
      /not absolute http/,
    );
    assert.throws(
      () => serializeScrapeRequest({ method: "G T", url: "http://h/", headers: [] }, "1"),
      /invalid method/,
    );
    assert.throws(
      () => serializeScrapeRequest({ method: "GET", url: "http://h/", headers: [] }, " "),
      /id is empty/,
    );
  });

  it("round-trips through parseScrapeRequest()", () => {
    const input = {
      method: "GET",
      url: "https://db1.example:9100/probe?target=a%20b&module=x",
      headers: [["Accept", "*/*"], ["X-Prometheus-Scrape-Timeout-Seconds", "4.5"]] as const,
    };
    const parsed = parseScrapeRequest(serializeScrapeRequest(input, "c0ffee"));
    assert.equal(parsed.method, "GET");
    assert.equal(parsed.url, input.url);
    assert.equal(parsed.id, "c0ffee");
    assert.deepEqual(parsed.headers, [["Host", "db1.example:9100"], ["Accept", "*/*"], ["Id", "c0ffee"], [
      "X-Prometheus-Scrape-Timeout-Seconds",
      "4.5",
    ]]);
  });
});

describe("parseScrapeRequest()", () => {
  it("accepts origin form with a Host header and bare LF line ends", () => {
    const parsed = parseScrapeRequest(bytes("GET /metrics?x=1 HTTP/1.1\nHost: db1:9100\nid: 42\n\n"));
    assert.equal(parsed.url, "http://db1:9100/metrics?x=1");
    assert.equal(parsed.id, "42");
  });

  it("ignores bytes after the head", () => {
    assert.equal(
      parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId: 1\r\n\r\ntrailing")).url,
      "http://h:1/",
    );
  });

  it("requires an Id header", () => {
    assert.throws(
      () => parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\n\r\n")),
      wireError("malformed", /no Id header/),
    );
    assert.throws(
      () => parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId:\r\n\r\n")),
      wireError("malformed", /no Id header/),
    );
  });

  it("requires a Host header for origin form, and one that cannot rewrite the path", () => {
    assert.throws(
      () => parseScrapeRequest(bytes("GET /m HTTP/1.1\r\nId: 1\r\n\r\n")),
      wireError("malformed", /no Host header/),
    );
    assert.throws(
      () => parseScrapeRequest(bytes("GET /m HTTP/1.1\r\nHost: evil/x?\r\nId: 1\r\n\r\n")),
      wireError("malformed", /Host header "evil\/x\?"/),
    );
    assert.throws(
      () => parseScrapeRequest(bytes("GET /m HTTP/1.1\r\nHost: a@b\r\nId: 1\r\n\r\n")),
      wireError("malformed", /Host/),
    );
  });

  it("refuses targets that are neither absolute http(s) nor a path", () => {
    for (const target of ["*", "ftp://h/x", "h:1/m", "http://"]) {
      assert.throws(
        () => parseScrapeRequest(bytes(`GET ${target} HTTP/1.1\r\nHost: h\r\nId: 1\r\n\r\n`)),
        wireError("malformed", /target/),
        target,
      );
    }
  });

  it("refuses a request that declares a body", () => {
    assert.throws(
      () => parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId: 1\r\nContent-Length: 3\r\n\r\nabc")),
      wireError("malformed", /declares a body/),
    );
    assert.throws(
      () =>
        parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId: 1\r\nTransfer-Encoding: chunked\r\n\r\n")),
      wireError("malformed", /declares a body/),
    );
    assert.equal(
      parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId: 1\r\nContent-Length: 0\r\n\r\n")).id,
      "1",
    );
  });

  it("refuses a malformed request line, quoting it", () => {
    for (
      const line of [
        "GET http://h:1/",
        "GET  http://h:1/ HTTP/1.1",
        "GET http://h:1/ HTTP/2",
        "G(T http://h/ HTTP/1.1",
        "<html>",
      ]
    ) {
      assert.throws(
        () => parseScrapeRequest(bytes(`${line}\r\nId: 1\r\n\r\n`)),
        wireError("malformed", /malformed request line "/),
        line,
      );
    }
    // Upstream's client gets this when a 408 body reaches it as if it were a request.
    assert.throws(
      () => parseScrapeRequest(bytes("Error WaitForScrapeInstruction: request is expired\n")),
      wireError("truncated", /inside its head/),
    );
  });

  it("reports a head cut short as truncated and an oversized head as too_large", () => {
    assert.throws(
      () => parseScrapeRequest(bytes("GET http://h:1/ HTTP/1.1\r\nId: 1\r\n")),
      wireError("truncated", /"Id: 1\\r\\n"|inside its head/),
    );
    assert.throws(() => parseScrapeRequest(new Uint8Array(0)), wireError("truncated", /inside its head/));
    const big = bytes(`GET http://h:1/ HTTP/1.1\r\nId: 1\r\nX-Big: ${"a".repeat(2000)}\r\n\r\n`);
    assert.throws(
      () => parseScrapeRequest(big, { maxHeaderBytes: 1000 }),
      wireError("too_large", /exceeds 1000 bytes/),
    );
    assert.equal(parseScrapeRequest(big, { maxHeaderBytes: big.length }).id, "1");
    assert.throws(
      () => parseScrapeRequest(big, { maxHeaderBytes: big.length - 1 }),
      wireError("too_large", /exceeds/),
    );
  });
});

describe("parseRequestHead()", () => {
  it("tells where the body starts", () => {
    const head = parseRequestHead(bytes("POST /poll HTTP/1.1\r\nContent-Length: 9\r\n\r\n127.0.0.1"));
    assert.deepEqual([head.method, head.target, head.version, head.bodyOffset], [
      "POST",
      "/poll",
      "HTTP/1.1",
      42,
    ]);
  });
});
