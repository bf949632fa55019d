/**
 * Every captured upstream exchange goes through our parsers, and our serializers reproduce upstream's bytes
 * where upstream's output is deterministic.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bytes,
  collect,
  concat,
  type FixtureFile,
  headEnd,
  listFixtures,
  naiveDechunk,
  readFixture,
  streamOf,
  text,
} from "./_test_utils.ts";
import { parseRequestHead } from "./request_head.ts";
import { parseScrapeRequest, serializeScrapeRequest } from "./scrape_request.ts";
import { parseScrapeResponse } from "./scrape_response_read.ts";
import { serializeScrapeResponse } from "./scrape_response_write.ts";
import type { HeaderLine } from "./types.ts";

const files = await listFixtures();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Head lines split by hand, to compare the parsers' header lists with. */
function naiveHeaders(message: Uint8Array): HeaderLine[] {
  const lines = text(message.subarray(0, headEnd(message) - 4)).split("\r\n").slice(1);
  return lines.map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
}

/** The body of a whole HTTP message as it would be delivered: chunks removed, else what follows the head. */
function naiveBody(message: Uint8Array): Uint8Array {
  const rest = message.subarray(headEnd(message));
  return /\r\ntransfer-encoding: chunked\r\n/i.test(text(message.subarray(0, headEnd(message))))
    ? naiveDechunk(rest)
    : rest;
}

/** The inner message a `.body` file carries (the `.http` beside it may have chunked it, as in 10-*). */
async function innerMessage(file: FixtureFile): Promise<Uint8Array> {
  return naiveBody(await readFixture(file.path.replace(/\.body$/, ".http")));
}

async function gunzip(data: Uint8Array): Promise<string> {
  const plain = new Blob([new Uint8Array(data)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return text(new Uint8Array(await new Response(plain).arrayBuffer()));
}

describe("upstream fixtures", () => {
  it("cover every kind of file the parsers must read", () => {
    // Each .http file gets a test below, and so does each .body file of a step 3 or a step 6.
    const uncovered = files.filter((file) => !/\.http$|^[36]-.*\.body$/.test(file.name));
    assert.deepEqual(uncovered, []);
    assert.equal(files.length, 69);
  });

  for (const file of files.filter((f) => f.name.endsWith(".http"))) {
    it(`parse ${file.path} as the HTTP message it is`, async () => {
      const message = await readFixture(file.path);
      if (text(message.subarray(0, 5)) === "HTTP/") {
        // Seven-byte pieces put piece boundaries inside CRLFs, chunk-size lines and chunk data.
        const { head, body } = await parseScrapeResponse(streamOf(message, 7));
        assert.equal(head.status, Number(text(message.subarray(9, 12))));
        assert.deepEqual(head.headers, naiveHeaders(message));
        assert.deepEqual(await collect(body), naiveBody(message));
        if (head.framing === "content-length") assert.equal(head.contentLength, naiveBody(message).length);
      } else {
        const head = parseRequestHead(message);
        assert.deepEqual(head.headers, naiveHeaders(message));
        const length = head.headers.find(([name]) => name === "Content-Length")?.[1] ?? "0";
        assert.equal(message.length - head.bodyOffset, Number(length));
      }
    });
  }

  for (const file of files.filter((f) => /^3-.*\.body$/.test(f.name))) {
    it(`parseScrapeRequest() reads ${file.path}`, async () => {
      const inner = await innerMessage(file);
      const request = parseScrapeRequest(inner);
      assert.equal(request.method, "GET");
      assert.match(request.url, /^http:\/\/127\.0\.0\.1:19100\/(metrics|1k)$/);
      assert.match(request.id, UUID);
      assert.deepEqual(request.headers, naiveHeaders(inner));
      assert.deepEqual(request.headers.slice(0, 2).map(([name]) => name), ["Host", "User-Agent"]);
    });
  }

  for (const file of files.filter((f) => /^6-.*\.body$/.test(f.name))) {
    it(`parseScrapeResponse() reads ${file.path}`, async () => {
      const inner = await innerMessage(file);
      const { head, body } = await parseScrapeResponse(streamOf(inner, 100));
      assert.match(head.proto, /^HTTP\/(1\.1|0\.0)$/);
      assert.deepEqual(head.headers, naiveHeaders(inner));
      assert.match(head.id ?? "", UUID);
      assert.ok(head.headers.some(([name]) => name === "X-Prometheus-Scrape-Timeout"));
      assert.deepEqual(await collect(body), naiveBody(inner));
    });
  }

  for (const scenario of new Set(files.map((f) => f.scenario))) {
    const request = files.find((f) => f.scenario === scenario && f.name.startsWith("1-"));
    const poll = files.find((f) => f.scenario === scenario && /^3-.*\.body$/.test(f.name));
    if (request === undefined || poll === undefined) continue;
    it(`serializeScrapeRequest() writes ${poll.path} byte for byte`, async () => {
      const expected = await innerMessage(poll);
      const head = parseRequestHead(await readFixture(request.path));
      const { id } = parseScrapeRequest(expected);
      const written = serializeScrapeRequest(
        { method: head.method, url: head.target, headers: head.headers },
        id,
      );
      assert.equal(text(written), text(expected));
      assert.deepEqual(written, expected);
    });
  }

  it("parseScrapeResponse() reads 01's gzip push: chunked, and the body gunzips to node exporter metrics", async () => {
    const { head, body } = await parseScrapeResponse(
      streamOf(await readFixture("01-prometheus-scrape-gzip/6-push-request.client-to-proxy.body")),
    );
    assert.equal(head.proto, "HTTP/1.1");
    assert.equal(head.status, 200);
    assert.equal(head.statusText, "OK");
    assert.equal(head.framing, "chunked");
    assert.equal(head.id, "83411e08-a275-47d0-a357-4a767c613cdc");
    assert.deepEqual(head.headers.map(([name]) => name), [
      "Transfer-Encoding",
      "Content-Encoding",
      "Content-Type",
      "Date",
      "Id",
      "X-Prometheus-Scrape-Timeout",
    ]);
    const decoded = await collect(body);
    assert.deepEqual([...decoded.subarray(0, 2)], [0x1f, 0x8b]);
    const metrics = await gunzip(decoded);
    assert.match(metrics, /^# HELP go_gc_duration_seconds /);
    assert.match(metrics, /\nnode_load1 \d/);
  });

  it("parseScrapeResponse() reads 02's plain push with the text the proxy then relayed", async () => {
    const { head, body } = await parseScrapeResponse(
      streamOf(await readFixture("02-curl-scrape-plain/6-push-request.client-to-proxy.body"), 1000),
    );
    assert.equal(head.framing, "chunked");
    const decoded = text(await collect(body));
    assert.match(decoded, /^# HELP go_gc_duration_seconds /);
    const relayed = await readFixture("02-curl-scrape-plain/8-scrape-response.proxy-to-curl.http");
    assert.equal(decoded, text(naiveBody(relayed)));
  });

  for (
    const [scenario, message] of [
      ["03-curl-scrape-no-timeout-header", 'strconv.ParseFloat: parsing "": invalid syntax'],
      [
        "04-target-down",
        'failed to scrape http://127.0.0.1:19100/metrics: Get "http://127.0.0.1:19100/metrics": dial tcp 127.0.0.1:19100: connect: connection refused',
      ],
    ] as const
  ) {
    it(`parseScrapeResponse() reads ${scenario}'s unframed HTTP/0.0 error push up to the end`, async () => {
      const { head, body } = await parseScrapeResponse(
        streamOf(await readFixture(`${scenario}/6-push-request.client-to-proxy.body`), 3),
      );
      assert.equal(head.proto, "HTTP/0.0");
      assert.equal(head.status, 500);
      assert.equal(head.statusText, "Internal Server Error");
      assert.equal(head.framing, "until-eof");
      assert.match(head.id ?? "", UUID);
      assert.equal(text(await collect(body)), message);
    });
  }

  it("parseScrapeResponse() reads 11's Content-Length push and its 1 KiB body", async () => {
    const { head, body } = await parseScrapeResponse(
      streamOf(await readFixture("11-content-length-target/6-push-request.client-to-proxy.body")),
    );
    assert.equal(head.framing, "content-length");
    assert.equal(head.contentLength, 1024);
    assert.equal(head.id, "3e3bc797-408e-40cf-8171-4fb1e9e4567b");
    const decoded = await collect(body);
    assert.equal(decoded.length, 1024);
    assert.deepEqual(
      decoded,
      naiveBody(await readFixture("11-content-length-target/5-scrape-response.target-to-client.http")),
    );
  });

  it("parseScrapeRequest() reads 10's 3 KB request that arrived chunked, X-Big intact", async () => {
    const request = parseScrapeRequest(
      await innerMessage(
        files.find((f) => f.path.startsWith("10-") && f.name.endsWith(".body") && f.name.startsWith("3-"))!,
      ),
    );
    assert.equal(request.id, "387c75ea-bbb6-4f11-b93c-16e5a4511330");
    assert.equal(request.headers.find(([name]) => name === "X-Big")?.[1], "a".repeat(3000));
  });

  // With one upstream read per chunk, our writer gives exactly the bytes Go's client pushed.
  for (
    const [scenario, id, remaining] of [
      ["01-prometheus-scrape-gzip", "83411e08-a275-47d0-a357-4a767c613cdc", "0.988397"],
      ["11-content-length-target", "3e3bc797-408e-40cf-8171-4fb1e9e4567b", "4.996222"],
    ] as const
  ) {
    it(`serializeScrapeResponse() writes ${scenario}'s push body byte for byte`, async () => {
      const target = await readFixture(`${scenario}/5-scrape-response.target-to-client.http`);
      const { head } = await parseScrapeResponse(streamOf(target));
      const payload = naiveBody(target);
      const written = serializeScrapeResponse(
        { status: head.status, statusText: head.statusText, headers: head.headers },
        streamOf(payload),
        {
          contentLength: head.contentLength,
          extraHeaders: [["Id", id], ["X-Prometheus-Scrape-Timeout", remaining]],
        },
      );
      const expected = await readFixture(`${scenario}/6-push-request.client-to-proxy.body`);
      assert.equal(text(await collect(written)), text(expected));
    });
  }

  it("serializeScrapeResponse() writes 02's push body byte for byte from the gunzipped target reply", async () => {
    // Go's transport asked for gzip itself, so it gunzipped the reply and dropped Content-Encoding.
    const target = await readFixture("02-curl-scrape-plain/5-scrape-response.target-to-client.http");
    const { head } = await parseScrapeResponse(streamOf(target));
    const headers = head.headers.filter(([name]) => name !== "Content-Encoding");
    const plain = bytes(await gunzip(naiveBody(target)));
    const written = serializeScrapeResponse({ status: 200, statusText: "OK", headers }, streamOf(plain), {
      extraHeaders: [["Id", "2a33e70f-608a-4212-b961-9bb0f7b5b3f5"], [
        "X-Prometheus-Scrape-Timeout",
        "4.991057",
      ]],
    });
    const expected = await readFixture("02-curl-scrape-plain/6-push-request.client-to-proxy.body");
    assert.deepEqual(await collect(written), expected);
  });

  it("naive helpers agree with the fixtures they are used on", async () => {
    // Guards the guards: 10's poll body really is chunked on the wire, and dechunking it yields one request.
    const wire = await readFixture("10-large-scrape-request/3-poll-response.proxy-to-client.body");
    assert.equal(text(wire.subarray(0, 5)), "c9d\r\n");
    const inner = naiveDechunk(wire);
    assert.equal(inner.length, 0xc9d);
    assert.deepEqual(concat(bytes("c9d\r\n"), inner, bytes("\r\n0\r\n\r\n")), wire);
  });
});
