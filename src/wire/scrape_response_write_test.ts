import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytes, collect, streamOf, text } from "./_test_utils.ts";
import { parseScrapeResponse } from "./scrape_response_read.ts";
import {
  framedScrapeResponse,
  serializeBufferedScrapeResponse,
  serializeErrorResponse,
  serializeScrapeResponse,
} from "./scrape_response_write.ts";

/** A body that yields the given pieces, counting how many were read. */
function piecesBody(pieces: readonly string[]) {
  const state = { reads: 0, cancelled: false };
  const queue = [...pieces];
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) return controller.close();
      state.reads++;
      controller.enqueue(bytes(next));
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

describe("serializeScrapeResponse()", () => {
  it("chunks the body, one chunk per read, after the framing header and sorted headers", async () => {
    const headers = new Headers({ "date": "Wed, 25 Nov 2026 20:30:22 GMT", "content-type": "text/plain" });
    const out = serializeScrapeResponse(
      { status: 200, statusText: "OK", headers },
      piecesBody(["hello ", "", "world"]).stream,
      {
        extraHeaders: [["Id", "42"], ["X-Prometheus-Scrape-Timeout", "4.991057"]],
      },
    );
    assert.equal(
      text(await collect(out)),
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\nDate: Wed, 25 Nov 2026 20:30:22 GMT\r\n" +
        "Id: 42\r\nX-Prometheus-Scrape-Timeout: 4.991057\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
    );
  });

  it("passes a Content-Length body through unchanged", async () => {
    const out = serializeScrapeResponse({ status: 200, headers: [] }, piecesBody(["abc", "de"]).stream, {
      contentLength: 5,
    });
    assert.equal(text(await collect(out)), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde");
  });

  it("errors the output when the body is longer or shorter than its Content-Length", async () => {
    const long = serializeScrapeResponse({ status: 200, headers: [] }, piecesBody(["abc", "def"]).stream, {
      contentLength: 5,
    });
    await assert.rejects(collect(long), /longer than Content-Length 5/);
    const short = serializeScrapeResponse({ status: 200, headers: [] }, piecesBody(["abc"]).stream, {
      contentLength: 5,
    });
    await assert.rejects(collect(short), /body has 3 bytes, Content-Length says 5/);
  });

  it("writes Content-Length: 0 for a null body", async () => {
    const out = serializeScrapeResponse({ status: 404, headers: [] }, null);
    assert.equal(text(await collect(out)), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  });

  it("drops hop-by-hop and framing headers of the target", async () => {
    const headers: [string, string][] = [
      ["Connection", "close"],
      ["Keep-Alive", "timeout=5"],
      ["Proxy-Connection", "x"],
      ["TE", "trailers"],
      ["Trailer", "X"],
      ["Upgrade", "h2c"],
      ["Content-Length", "99"],
      ["Transfer-Encoding", "chunked"],
      ["X-Kept", "1"],
    ];
    const out = serializeScrapeResponse({ status: 200, headers }, null, {
      extraHeaders: [["Connection", "x"]],
    });
    assert.equal(text(await collect(out)), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Kept: 1\r\n\r\n");
  });

  it("lets extraHeaders replace a header of the same name from the target", async () => {
    const out = serializeScrapeResponse(
      { status: 200, headers: [["id", "from-target"], ["Vary", "a"]] },
      null,
      { extraHeaders: [["Id", "ours"]] },
    );
    assert.equal(
      text(await collect(out)),
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nId: ours\r\nVary: a\r\n\r\n",
    );
  });

  it("uses the given status text, else the standard phrase, else none", async () => {
    const head = async (status: number, statusText?: string) =>
      text(await collect(serializeScrapeResponse({ status, statusText, headers: [] }, null))).split(
        "\r\n",
      )[0];
    assert.equal(await head(200, "Fine"), "HTTP/1.1 200 Fine");
    assert.equal(await head(503), "HTTP/1.1 503 Service Unavailable");
    assert.equal(await head(299), "HTTP/1.1 299 ");
  });

  it("writes no framing and no body for 204 and 304", async () => {
    const body = piecesBody(["ignored"]);
    const out = serializeScrapeResponse({ status: 304, headers: [["ETag", "x"]] }, body.stream);
    assert.equal(text(await collect(out)), "HTTP/1.1 304 Not Modified\r\nEtag: x\r\n\r\n");
    assert.ok(body.state.cancelled);
  });

  it("errors the output when the body errors, so a push is cut and not shortened", async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("part"));
        controller.error(new Error("target reset"));
      },
    });
    await assert.rejects(
      collect(serializeScrapeResponse({ status: 200, headers: [] }, failing)),
      /target reset/,
    );
  });

  it("reads the body only as fast as the output is consumed", async () => {
    const body = piecesBody(["a", "b", "c", "d"]);
    const reader = serializeScrapeResponse({ status: 200, headers: [] }, body.stream).getReader();
    await reader.read(); // The head.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(body.state.reads, 0);
    assert.equal(text((await reader.read()).value!), "1\r\na\r\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(body.state.reads <= 2, `read ${body.state.reads} pieces for one chunk`);
    await reader.cancel();
    assert.ok(body.state.cancelled);
  });

  it("refuses impossible inputs up front", () => {
    assert.throws(() => serializeScrapeResponse({ status: 99, headers: [] }, null), RangeError);
    assert.throws(
      () => serializeScrapeResponse({ status: 200, headers: [] }, null, { contentLength: 3 }),
      RangeError,
    );
    assert.throws(
      () =>
        serializeScrapeResponse({ status: 200, headers: [] }, streamOf(bytes("x")), { contentLength: -1 }),
      RangeError,
    );
    assert.throws(
      () => serializeScrapeResponse({ status: 200, statusText: "O\r\nK", headers: [] }, null),
      TypeError,
    );
    const locked = streamOf(bytes("x"));
    locked.getReader();
    assert.throws(() => serializeScrapeResponse({ status: 200, headers: [] }, locked), /locked/);
  });

  it("round-trips through parseScrapeResponse() for each framing", async () => {
    for (const contentLength of [undefined, 11]) {
      const out = serializeScrapeResponse(
        { status: 200, headers: [["Content-Type", "text/plain"]] },
        streamOf(bytes("hello world"), 3),
        {
          contentLength,
          extraHeaders: [["Id", "abc"]],
        },
      );
      const { head, body } = await parseScrapeResponse(out);
      assert.deepEqual([head.status, head.id, head.framing, text(await collect(body))], [
        200,
        "abc",
        contentLength ? "content-length" : "chunked",
        "hello world",
      ]);
    }
  });
});

describe("framedScrapeResponse()", () => {
  it("gives the whole message's length when the body's is known, and null when it goes chunked", async () => {
    const head = { status: 200, headers: [["Content-Type", "text/plain"]] as [string, string][] };
    const known = framedScrapeResponse(head, streamOf(bytes("hello"), 2), { contentLength: 5 });
    assert.equal((await collect(known.body)).length, known.length);
    assert.equal(framedScrapeResponse(head, streamOf(bytes("hello")), {}).length, null);
    const empty = framedScrapeResponse(head, null);
    assert.equal((await collect(empty.body)).length, empty.length);
  });

  it("errors the output with the limit's error once the body passes the limit, and only then", async () => {
    const head = { status: 200, headers: [] };
    const limit = { maxBytes: 4, error: () => new RangeError("target body is larger than 4 bytes") };
    const over = framedScrapeResponse(head, streamOf(bytes("abcde"), 2), { limit });
    await assert.rejects(collect(over.body), /target body is larger than 4 bytes/);
    const within = framedScrapeResponse(head, streamOf(bytes("abcd"), 2), { contentLength: 4, limit });
    assert.match(text(await collect(within.body)), /\r\n\r\nabcd$/);
    const unlimited = framedScrapeResponse(head, streamOf(bytes("x".repeat(10_000)), 999), {
      limit: { maxBytes: 0, error: limit.error },
    });
    const out = text(await collect(unlimited.body));
    assert.equal(out.match(/x/g)?.length, 10_000);
    assert.ok(out.endsWith("\r\n0\r\n\r\n"));
  });
});

describe("serializeBufferedScrapeResponse()", () => {
  it("writes the same bytes the streaming serializer writes with a Content-Length", async () => {
    const headers = new Headers({ "content-type": "text/plain", "connection": "keep-alive", "x-a": "1" });
    const extraHeaders: [string, string][] = [["Id", "7"], ["X-Prometheus-Scrape-Timeout", "4.990000"]];
    const body = bytes("# HELP up 1\nup 1\n");
    const streamed = await collect(
      serializeScrapeResponse({ status: 200, statusText: "OK", headers }, streamOf(body, 4), {
        contentLength: body.length,
        extraHeaders,
      }),
    );
    const buffered = serializeBufferedScrapeResponse(
      { status: 200, statusText: "OK", headers },
      body,
      extraHeaders,
    );
    assert.equal(text(buffered), text(streamed));
    assert.match(
      text(buffered),
      /^HTTP\/1\.1 200 OK\r\nContent-Length: 17\r\nContent-Type: text\/plain\r\nId: 7\r\n/,
    );
  });

  it("writes no framing for 204 and 304, and refuses a body on them", () => {
    assert.equal(
      text(serializeBufferedScrapeResponse({ status: 204, headers: [] }, new Uint8Array(0), [["Id", "1"]])),
      "HTTP/1.1 204 No Content\r\nId: 1\r\n\r\n",
    );
    assert.throws(
      () => serializeBufferedScrapeResponse({ status: 304, headers: [] }, bytes("x")),
      RangeError,
    );
  });
});

describe("serializeErrorResponse()", () => {
  it("writes a Content-Length framed text body with the extra headers", () => {
    const out = serializeErrorResponse(500, "failed to scrape: connection refused", [[
      "X-Prometheus-Scrape-Timeout",
      "4.9",
    ], ["Id", "42"]]);
    assert.equal(
      text(out),
      "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 36\r\nContent-Type: text/plain; charset=utf-8\r\nId: 42\r\n" +
        "X-Prometheus-Scrape-Timeout: 4.9\r\n\r\nfailed to scrape: connection refused",
    );
  });

  it("counts the message in UTF-8 bytes and parses back to the same message", async () => {
    const { head, body } = await parseScrapeResponse(
      streamOf(serializeErrorResponse(502, "cible injoignable \u2013 d\u00e9lai", [["Id", "1"]])),
    );
    assert.deepEqual([head.status, head.statusText, head.id], [502, "Bad Gateway", "1"]);
    assert.equal(text(await collect(body)), "cible injoignable \u2013 d\u00e9lai");
  });

  it("writes a given status text in place of the standard reason phrase", async () => {
    const out = serializeErrorResponse(
      403,
      "refusing to scrape http://h:22/",
      [["Id", "1"]],
      "port 22 not allowed",
    );
    assert.match(text(out), /^HTTP\/1\.1 403 port 22 not allowed\r\n/);
    const { head } = await parseScrapeResponse(streamOf(out));
    assert.deepEqual([head.status, head.statusText], [403, "port 22 not allowed"]);
  });

  it("keeps a status text that would break the status line to one printable line", async () => {
    const out = serializeErrorResponse(
      502,
      "failed to scrape http://h1:9100/metrics: no such host",
      [],
      "target unreachable:\r\nX-Injected: 1",
    );
    assert.match(text(out), /^HTTP\/1\.1 502 target unreachable: X-Injected: 1\r\nContent-Length: /);
    const { head } = await parseScrapeResponse(streamOf(out));
    assert.equal(head.statusText, "target unreachable: X-Injected: 1");
    assert.ok(!head.headers.some(([name]) => name === "X-Injected"), "no header was injected");
  });

  it("refuses a status outside 200-599 or one that cannot carry the message", () => {
    for (const status of [700, 99, 101, 204, 304]) {
      assert.throws(() => serializeErrorResponse(status, "x"), RangeError);
    }
  });
});
