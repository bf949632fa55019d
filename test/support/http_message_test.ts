import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixtureBytes, fixtureMessage, rewriteBody } from "./fixtures.ts";
import {
  bodyText,
  headerValue,
  latin1Bytes,
  parseMessage,
  reframe,
  statusOf,
  tryParseMessage,
} from "./http_message.ts";

describe("parseMessage()", () => {
  it("decodes chunked bodies to the same bytes whatever the chunk sizes", () => {
    // The client's push (Go re-chunked) and the proxy's answer (512-byte first chunk) carry one payload.
    const push = fixtureMessage("02-curl-scrape-plain", "6-push-request.client-to-proxy.http", "request");
    const pushed = parseMessage(push.body, "response");
    const relayed = fixtureMessage(
      "02-curl-scrape-plain",
      "8-scrape-response.proxy-to-curl.http",
      "response",
    );
    assert.equal(pushed.framing, "chunked");
    assert.equal(relayed.framing, "chunked");
    assert.ok(pushed.body.length > 17_000);
    assert.deepEqual(pushed.body, relayed.body);
  });

  it("reads an unframed HTTP/0.0 error response up to the end of its bytes", () => {
    const push = fixtureMessage("04-target-down", "6-push-request.client-to-proxy.http", "request");
    const inner = parseMessage(push.body, "response");
    assert.equal(inner.framing, "until-eof");
    assert.equal(statusOf(inner), 500);
    assert.match(
      bodyText(inner),
      /^failed to scrape http:\/\/127\.0\.0\.1:19100\/metrics: .*connection refused$/,
    );
  });

  it("keeps header case, order and empty values as sent", () => {
    const poll = fixtureMessage("02-curl-scrape-plain", "2-poll-request.client-to-proxy.http", "request");
    assert.deepEqual(poll.headers.map(([name]) => name), [
      "Host",
      "User-Agent",
      "Content-Length",
      "Content-Type",
      "Accept-Encoding",
    ]);
    assert.equal(headerValue(poll, "content-type"), "");
    assert.equal(bodyText(poll), "127.0.0.1");
  });

  it("rejects bytes that hold more than one message", () => {
    const one = fixtureBytes("02-curl-scrape-plain", "7-push-response.proxy-to-client.http");
    const two = new Uint8Array([...one, ...one]);
    assert.throws(() => parseMessage(two, "response"), SyntaxError);
  });
});

describe("tryParseMessage()", () => {
  it("asks for more bytes until a Content-Length body is complete, then fails if the stream ended", () => {
    const bytes = latin1Bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc");
    assert.equal(tryParseMessage(bytes, "response", false), null);
    assert.throws(() => tryParseMessage(bytes, "response", true), /ended inside the body/);
  });

  it("treats a request without framing headers as bodiless and leaves the next one in place", () => {
    const bytes = latin1Bytes("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    const first = tryParseMessage(bytes, "request", false);
    assert.ok(first);
    assert.equal(first.message.startLine, "GET /a HTTP/1.1");
    assert.equal(first.message.body.length, 0);
    assert.equal(first.consumed, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".length);
  });
});

describe("rewriteBody()", () => {
  it("updates Content-Length when the replacement changes the body's length", () => {
    const poll = fixtureMessage("02-curl-scrape-plain", "3-poll-response.proxy-to-client.http", "response");
    const rewritten = parseMessage(rewriteBody(poll, "127.0.0.1:19100", "127.0.0.1:8"), "response");
    assert.equal(headerValue(rewritten, "Content-Length"), String(poll.body.length - 8));
    assert.match(
      bodyText(rewritten),
      /^GET http:\/\/127\.0\.0\.1:8\/metrics HTTP\/1\.1\r\nHost: 127\.0\.0\.1:8\r\n/,
    );
  });

  it("re-chunks a chunked body so it parses to the replaced text", () => {
    const poll = fixtureMessage(
      "10-large-scrape-request",
      "3-poll-response.proxy-to-client.http",
      "response",
    );
    const rewritten = parseMessage(rewriteBody(poll, "127.0.0.1:19100", "127.0.0.1:123456"), "response");
    assert.equal(rewritten.framing, "chunked");
    assert.equal(rewritten.body.length, poll.body.length + 2);
    assert.ok(bodyText(rewritten).includes("Host: 127.0.0.1:123456\r\n"));
  });
});

describe("reframe()", () => {
  it("refuses a body for a message that has no body framing", () => {
    const request = parseMessage(latin1Bytes("GET / HTTP/1.1\r\n\r\n"), "request");
    assert.throws(() => reframe(request, latin1Bytes("x")), RangeError);
  });
});
