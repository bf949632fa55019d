import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headerValue, outgoingRequest } from "./request.ts";

const unset = new AbortController().signal;
const bytesOf = (body: unknown) => new TextDecoder().decode(body as Uint8Array);

describe("outgoingRequest()", () => {
  it("takes a URL and init as given: method upper-cased, header case kept, bytes whole", async () => {
    const url = new URL("http://proxy:8080/poll");
    const body = new TextEncoder().encode("host-a");
    const out = await outgoingRequest(
      url,
      { method: "post", headers: [["PushProx-Accept-Idle", "1"]], body },
      unset,
    );
    assert.equal(out.method, "POST");
    assert.equal(out.url, url, "the URL object itself: no second parse");
    assert.deepEqual(out.headers, [["PushProx-Accept-Idle", "1"]]);
    assert.equal(out.body, body);
    assert.equal(out.signal, unset);
  });

  it("accepts a string URL, a record or Headers, and byte or ArrayBuffer bodies", async () => {
    const fromRecord = await outgoingRequest("http://t:9100/a", {
      method: "PUT",
      headers: { "X-A": "  padded\t" },
      body: new TextEncoder().encode("é"),
    }, unset);
    assert.equal(fromRecord.url.href, "http://t:9100/a");
    assert.deepEqual(fromRecord.headers, [["X-A", "padded"]]);
    assert.equal(bytesOf(fromRecord.body), "é");
    const fromHeaders = await outgoingRequest("http://t:9100/a", {
      method: "POST",
      headers: new Headers({ "X-B": "2" }),
      body: new TextEncoder().encode("ab").buffer,
    }, unset);
    assert.deepEqual(fromHeaders.headers, [["x-b", "2"]]);
    assert.equal(bytesOf(fromHeaders.body), "ab");
    const signal = new AbortController().signal;
    assert.equal((await outgoingRequest("http://t/", { signal }, unset)).signal, signal);
  });

  it("refuses what fetch refuses, naming it", async () => {
    const url = "http://t:9100/";
    await assert.rejects(outgoingRequest(url, { headers: [["Bad Name", "1"]] }, unset), {
      name: "TypeError",
      message: 'invalid header name "Bad Name"',
    });
    await assert.rejects(outgoingRequest(url, { headers: [["X-A", "1\r\nX-B: 2"]] }, unset), {
      name: "TypeError",
      message: 'invalid value for header X-A: "1\\r\\nX-B: 2"',
    });
    await assert.rejects(
      outgoingRequest(url, { headers: [["X-A"]] as unknown as [string, string][] }, unset),
      {
        name: "TypeError",
        message: "a header must be a [name, value] pair, got 1 items",
      },
    );
    await assert.rejects(outgoingRequest(url, { method: "GET", body: new Uint8Array(1) }, unset), {
      name: "TypeError",
      message: "a GET request cannot have a body",
    });
    await assert.rejects(outgoingRequest(url, { method: "connect" }, unset), {
      name: "TypeError",
      message: "HTTP method connect is not allowed",
    });
    await assert.rejects(outgoingRequest(url, { method: "GE T" }, unset), {
      name: "TypeError",
      message: 'invalid HTTP method "GE T"',
    });
    await assert.rejects(outgoingRequest("not a url", {}, unset), TypeError);
  });

  it("reads a Request's small declared body whole and leaves an undeclared one a stream", async () => {
    const small = await outgoingRequest(
      new Request("http://t/push", { method: "POST", headers: { "Content-Length": "2" }, body: "ok" }),
      undefined,
      unset,
    );
    assert.equal(small.method, "POST");
    assert.equal(bytesOf(small.body), "ok");
    assert.equal(headerValue(small.headers, "content-length"), "2");
    const streamed = await outgoingRequest(
      new Request("http://t/push", {
        method: "POST",
        body: new Blob(["a", "b"]).stream(),
        duplex: "half",
      } as RequestInit),
      undefined,
      unset,
    );
    assert.ok(streamed.body instanceof ReadableStream);
    assert.equal(
      (await outgoingRequest(new Request("http://t/"), undefined, unset)).body,
      null,
    );
  });

  it("hands an init it has no direct path for to new Request, keeping fetch's semantics", async () => {
    const out = await outgoingRequest("http://t/form", {
      method: "POST",
      body: new URLSearchParams({ a: "1" }),
    }, unset);
    assert.equal(headerValue(out.headers, "content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
    assert.ok(out.body instanceof ReadableStream);
    assert.equal(await new Response(out.body).text(), "a=1");
    const text = await outgoingRequest("http://t/", { method: "POST", body: "é" }, unset);
    assert.equal(await new Response(text.body as ReadableStream<Uint8Array>).text(), "é");
  });
});

describe("headerValue()", () => {
  it("finds the first header of a name in any case", () => {
    const lines = [["Content-Length", "5"], ["content-length", "6"]] as const;
    assert.equal(headerValue(lines, "content-length"), "5");
    assert.equal(headerValue(lines, "host"), null);
  });
});
