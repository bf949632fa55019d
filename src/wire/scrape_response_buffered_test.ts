/**
 * `parseBufferedScrapeResponse` must read a push exactly as the streaming parser does, or the proxy would
 * relay a small push differently from a large one. Every case runs through both and is compared: the same
 * head or the same head error, and the same body or the same kind of body error. A chunked body is left to
 * the streaming parser (the buffered one answers null), so there only the head is compared.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytes, collect, listFixtures, readFixture, streamOf, text } from "./_test_utils.ts";
import { parseBufferedScrapeResponse, parseScrapeResponse } from "./scrape_response_read.ts";
import { WireError, type WireLimits } from "./types.ts";

type Outcome =
  | { readonly head: unknown; readonly body: string }
  | { readonly head: unknown; readonly bodyError: string }
  | { readonly headError: string };

async function streaming(wire: Uint8Array, limits?: WireLimits): Promise<Outcome> {
  let parsed;
  try {
    parsed = await parseScrapeResponse(streamOf(wire, 7), limits);
  } catch (error) {
    return { headError: describe_(error) };
  }
  try {
    return { head: parsed.head, body: text(await collect(parsed.body)) };
  } catch (error) {
    return { head: parsed.head, bodyError: (error as WireError).reason };
  }
}

/** What the buffered parser made of `wire`; "streamed" when it left a chunked body to the other one. */
function buffered(wire: Uint8Array, limits?: WireLimits): Outcome | "streamed" {
  let parsed;
  try {
    parsed = parseBufferedScrapeResponse(new Uint8Array(wire), limits);
  } catch (error) {
    return { headError: describe_(error) };
  }
  if (parsed === null) return "streamed";
  if (parsed.bodyError !== null) {
    assert.equal(parsed.body.length, 0, "a body came back beside its error");
    return { head: parsed.head, bodyError: parsed.bodyError.reason };
  }
  return { head: parsed.head, body: text(parsed.body) };
}

function assertSameReading(actual: Outcome | "streamed", expected: Outcome, where = "the case"): void {
  if (actual !== "streamed") return assert.deepEqual(actual, expected, where);
  assert.ok("head" in expected, `${where}: left to the streaming parser, which found no head`);
  assert.equal((expected.head as { framing: string }).framing, "chunked", where);
}

function describe_(error: unknown): string {
  assert.ok(error instanceof WireError, `not a WireError: ${error}`);
  return `${error.reason}: ${error.message}`;
}

const CASES: ReadonlyArray<readonly [string, string, WireLimits?]> = [
  [
    "headers in order, repeats, Id",
    "HTTP/1.1 200 OK\r\nid: 42\r\nVary: a\r\ncontent-length: 0\r\nVary: b\r\n\r\n",
  ],
  ["no reason phrase, bare LF", "HTTP/1.0 503\nContent-Length: 2\n\nno"],
  ["bad status line", "garbage\r\n\r\n"],
  ["status out of range", "HTTP/1.1 600 Nope\r\n\r\n"],
  ["bad header line", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"],
  ["conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"],
  ["unknown coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx"],
  ["cut inside the head", "HTTP/1.1 200 OK\r\nId: 1\r\nConte"],
  ["empty", ""],
  [
    "chunked with extension and trailer",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nT: y\r\n\r\n",
  ],
  ["bytes after a Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"],
  ["unframed, to the end", "HTTP/0.0 500 Internal Server Error\r\n\r\nboom"],
  ["204 with bytes after", "HTTP/1.1 204 No Content\r\n\r\nxyz"],
  ["Content-Length body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"],
  ["chunked body cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"],
  ["garbage chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"],
  ["Content-Length over the body limit", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", {
    maxBodyBytes: 4,
  }],
  ["Content-Length at the body limit", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", {
    maxBodyBytes: 4,
  }],
  [
    "chunked over the body limit",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
    { maxBodyBytes: 4 },
  ],
  ["unframed over the body limit", "HTTP/1.0 200 OK\r\n\r\nabcde", { maxBodyBytes: 4 }],
  // "HTTP/1.1 200 OK\r\n" is 17 bytes and the blank line 2: 19 fits a 19-byte budget, not an 18-byte one.
  ["head exactly at the limit", "HTTP/1.1 200 OK\r\n\r\n", { maxHeaderBytes: 19 }],
  ["head one byte over the limit", "HTTP/1.1 200 OK\r\n\r\n", { maxHeaderBytes: 18 }],
  ["a line with no end over the limit", `HTTP/1.1 200 OK\r\nX: ${"a".repeat(40)}`, { maxHeaderBytes: 30 }],
];

describe("parseBufferedScrapeResponse()", () => {
  for (const [name, wire, limits] of CASES) {
    it(`reads "${name}" as the streaming parser does`, async () => {
      assertSameReading(buffered(bytes(wire), limits), await streaming(bytes(wire), limits));
    });
  }

  it("reads every push upstream's Go client made in the fixtures as the streaming parser does", async () => {
    const pushes = (await listFixtures()).filter((file) =>
      file.name.endsWith("push-request.client-to-proxy.body")
    );
    assert.ok(pushes.length >= 4, `only ${pushes.length} push fixtures found`);
    for (const push of pushes) {
      const wire = await readFixture(push.path);
      const expected = await streaming(wire);
      assert.ok("body" in expected, `${push.path}: ${JSON.stringify(expected)}`);
      assertSameReading(buffered(wire), expected, push.path);
    }
  });

  it("gives the body as a view of the input, without a copy, when framed by Content-Length", () => {
    const wire = bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    const { body } = parseBufferedScrapeResponse(new Uint8Array(wire))!;
    assert.equal(body.byteOffset, wire.length - 2);
  });
});
