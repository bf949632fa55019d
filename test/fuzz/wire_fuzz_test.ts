/**
 * Fuzzes the wire parsers with mutated upstream captures. Every input must end in a result or a
 * WireError, within a second; a result must be usable (its headers fit a Web `Headers`). The parser for
 * pushes already in memory must read every input as the streaming one does: the same head or the same
 * head error, and the same body bytes or a body error from both (a chunked body it leaves to the other).
 *
 * PUSHPROX_FUZZ_INPUTS sets the number of inputs (default 100,000), PUSHPROX_FUZZ_SEED the seed (default
 * fixed, so runs repeat). A failure names the seed and input index to replay.
 *
 * The two chunked decoders (`chunkedSource` for pushes, `ChunkedPushDecoder` for the Bun server's request
 * bodies and our HTTP client's responses) must also read every mutated chunked body alike: the same bytes,
 * or both refuse it. Where they disagree, one hop could see a body end where the next does not.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { concat, listFixtures, naiveDechunk, readFixture } from "../../src/wire/_test_utils.ts";
import { ByteReader } from "../../src/wire/byte_reader.ts";
import { chunkedSource } from "../../src/wire/chunked.ts";
import { ChunkedPushDecoder } from "../../src/wire/chunked_push_decoder.ts";
import {
  headersFromLines,
  parseBufferedScrapeResponse,
  parseScrapeRequest,
  parseScrapeResponse,
  WireError,
  type WireLimits,
} from "../../src/wire/mod.ts";

const INPUTS = Number(process.env.PUSHPROX_FUZZ_INPUTS ?? 100_000);
const SEED = Number(process.env.PUSHPROX_FUZZ_SEED ?? 0x5eed_2026) >>> 0;
const BATCHES = 50;
const HANG_MS = 1000;

/** xorshift32: tiny, deterministic, good enough to pick mutations. */
function prng(seed: number) {
  let state = seed || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}

type Random = ReturnType<typeof prng>;
const encode = (s: string) => new TextEncoder().encode(s);

const INTERESTING = [0x0d, 0x0a, 0x3a, 0x20, 0x09, 0x00, 0x30, 0x3b, 0x66, 0x7f, 0xff, 0x2f, 0x48];
const LINES = [
  "0\r\n\r\n",
  "ffffffffffffffffffff\r\n",
  "fffffffffffff\r\n",
  "7fffffff\r\n",
  "-1\r\n",
  "0x10\r\n",
  '5;ext="v"\r\n',
  "Content-Length: 99999999999999999999\r\n",
  "Content-Length: 9007199254740993\r\n",
  "Content-Length: 5\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Transfer-Encoding: gzip\r\n",
  "Id: fuzz\r\n",
  " folded\r\n",
  "\r\n",
  "\n",
  "X-Trailer: 1\r\n",
  "HTTP/1.1 200 OK\r\n",
  "GET http://h:1/ HTTP/1.1\r\n",
  "Host: h/x\r\n",
];

function mutate(rand: Random, input: Uint8Array, corpus: readonly Uint8Array[]): Uint8Array {
  let data = input;
  const at = () => rand.int(data.length + 1);
  const insert = (bytes: Uint8Array, pos = at()) => {
    const out = new Uint8Array(data.length + bytes.length);
    out.set(data.subarray(0, pos));
    out.set(bytes, pos);
    out.set(data.subarray(pos), pos + bytes.length);
    data = out;
  };
  for (let rounds = 1 + rand.int(4); rounds > 0; rounds--) {
    switch (rand.int(9)) {
      case 0: { // Bit flips.
        data = data.slice();
        for (let n = 1 + rand.int(4); n > 0 && data.length > 0; n--) {
          data[rand.int(data.length)]! ^= 1 << rand.int(8);
        }
        break;
      }
      case 1:
        insert(Uint8Array.of(rand.next() < 0.5 ? rand.pick(INTERESTING) : rand.int(256)));
        break;
      case 2: { // Delete a short range.
        const pos = at();
        data = new Uint8Array([...data.subarray(0, pos), ...data.subarray(pos + 1 + rand.int(8))]);
        break;
      }
      case 3: { // Splice: the start of this input with the end of another.
        const other = rand.pick(corpus);
        const tail = other.subarray(rand.int(other.length + 1));
        const head = data.subarray(0, at());
        data = new Uint8Array(head.length + tail.length);
        data.set(head);
        data.set(tail, head.length);
        break;
      }
      case 4:
        data = data.subarray(0, at());
        break;
      case 5: { // Insert a line at a line start: chunk sizes, huge numbers, framing headers.
        const starts = [0];
        for (let i = data.indexOf(10); i !== -1 && starts.length < 400; i = data.indexOf(10, i + 1)) {
          starts.push(i + 1);
        }
        insert(encode(rand.pick(LINES)), rand.pick(starts));
        break;
      }
      case 6:
        insert(encode(`${rand.int(2 ** 31).toString(16)}\r\n`));
        break;
      case 7: { // Duplicate a range.
        const pos = at();
        insert(data.slice(pos, pos + rand.int(64)), at());
        break;
      }
      default: // CRLF to LF everywhere.
        data = new Uint8Array([...data].filter((b, i) => !(b === 13 && data[i + 1] === 10)));
    }
  }
  return data;
}

/** Cuts input into 1 to ~40 pieces of random size, often tiny ones. */
function pieces(rand: Random, data: Uint8Array): ReadableStream<Uint8Array> {
  const cuts = new Set<number>();
  for (let n = rand.int(40); n > 0; n--) {
    cuts.add(rand.next() < 0.3 ? rand.int(Math.min(data.length, 200)) : rand.int(data.length));
  }
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), data.length];
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      for (; i + 1 < bounds.length; i++) {
        if (bounds[i + 1]! > bounds[i]!) {
          controller.enqueue(data.slice(bounds[i], bounds[i + 1]));
          i++;
          return;
        }
      }
      controller.close();
    },
  }, { highWaterMark: 0 });
}

function limitsFor(rand: Random): WireLimits | undefined {
  const roll = rand.int(4);
  if (roll === 0) return { maxHeaderBytes: 16 + rand.int(400) };
  if (roll === 1) return { maxBodyBytes: rand.int(4000) };
  return undefined;
}

function checkOutcome(outcome: unknown, where: string): void {
  if (outcome === null) return;
  assert.ok(
    outcome instanceof WireError,
    `${where}: threw ${String(outcome)} (${(outcome as Error)?.stack})`,
  );
  assert.ok(outcome.message.length < 400, `${where}: message too long: ${outcome.message.slice(0, 500)}`);
}

async function runOne(rand: Random, data: Uint8Array, where: string): Promise<void> {
  let caught: unknown = null;
  try {
    const request = parseScrapeRequest(data, limitsFor(rand));
    headersFromLines(request.headers);
    new URL(request.url);
  } catch (error) {
    caught = error;
  }
  checkOutcome(caught, `${where} parseScrapeRequest`);

  const limits = limitsFor(rand);
  let streamed: PushOutcome;
  caught = null;
  try {
    const { head, body } = await parseScrapeResponse(pieces(rand, data), limits);
    headersFromLines(head.headers);
    assert.ok(head.status >= 100 && head.status <= 599);
    // What the proxy will build from it must not throw either.
    if (head.status >= 200) new Response(null, { status: head.status, statusText: head.statusText });
    streamed = { head, body: null };
    const received: Uint8Array[] = [];
    for await (const piece of body) received.push(piece); // framing errors surface here
    streamed = { head, body: concat(...received) };
  } catch (error) {
    caught = error;
    streamed ??= { headError: error };
  }
  checkOutcome(caught, `${where} parseScrapeResponse`);

  let buffered: PushOutcome | "streamed";
  caught = null;
  try {
    const parsed = parseBufferedScrapeResponse(new Uint8Array(data), limits);
    checkOutcome(parsed?.bodyError ?? null, `${where} parseBufferedScrapeResponse body`);
    buffered = parsed === null
      ? "streamed"
      : { head: parsed.head, body: parsed.bodyError === null ? parsed.body : null };
  } catch (error) {
    caught = error;
    buffered = { headError: error };
  }
  checkOutcome(caught, `${where} parseBufferedScrapeResponse`);
  assertSameReading(buffered, streamed!, where);
}

/** A push as a parser read it: a head error, or a head and its body (null when the body broke). */
type PushOutcome = { readonly headError: unknown } | {
  readonly head: unknown;
  readonly body: Uint8Array | null;
};

function assertSameReading(buffered: PushOutcome | "streamed", streamed: PushOutcome, where: string): void {
  if (buffered === "streamed") {
    // A chunked body is left to the streaming parser: only the head, and that it is chunked, must agree.
    assert.ok("head" in streamed, `${where}: left to the streaming parser, which found no head`);
    assert.equal((streamed.head as { framing: string }).framing, "chunked", where);
    return;
  }
  const describe = (outcome: PushOutcome) =>
    "headError" in outcome
      ? { headError: String(outcome.headError) }
      : { head: outcome.head, body: outcome.body === null ? "broken" : Array.from(outcome.body).join(",") };
  assert.deepEqual(describe(buffered), describe(streamed), `${where}: the two push parsers disagree`);
}

async function withWatchdog(work: Promise<void>, where: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${where}: no outcome after ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const files = await listFixtures();
const corpus: Uint8Array[] = [];
for (const file of files) {
  const data = await readFixture(file.path);
  // 10's poll body is the chunked wire form; its inner request belongs in the corpus too.
  corpus.push(
    data,
    ...(file.path.startsWith("10-") && file.name.startsWith("3-") && file.name.endsWith(".body")
      ? [naiveDechunk(data)]
      : []),
  );
}
corpus.push(
  encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
);

describe("wire fuzzing", () => {
  for (let batch = 0; batch < BATCHES; batch++) {
    const first = Math.floor((INPUTS * batch) / BATCHES);
    const last = Math.floor((INPUTS * (batch + 1)) / BATCHES);
    it(
      `parsers end every mutated input in a result or a WireError (inputs ${first}-${
        last - 1
      }, seed ${SEED})`,
      { timeout: 600_000 },
      async () => {
        for (let index = first; index < last; index++) {
          const rand = prng((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
          const data = mutate(rand, rand.pick(corpus), corpus);
          const where = `seed ${SEED} input ${index}`;
          const started = performance.now();
          await withWatchdog(runOne(rand, data, where), where);
          const took = performance.now() - started;
          assert.ok(took < HANG_MS, `${where}: took ${took.toFixed(0)} ms`);
        }
      },
    );
  }
});

/**
 * Chunked bodies to mutate: sizes, extensions, trailers, and what both decoders must refuse alike: bare LF
 * line ends, whitespace after a size that no extension follows.
 */
const CHUNKED = [
  "3\r\nabc\r\n0\r\n\r\n",
  "3 \r\nabc\r\n0\r\n\r\n",
  "a;ext=1\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n",
  "1\r\nz\r\n2\r\nab\r\n0\r\n\r\n",
  "3\nabc\n0\n\n",
  '03 \t;a="b"\r\nabc\r\n0\r\nX-A: 1\r\nX-B:\r\n\r\n',
].map(encode);

/** A chunked body as one decoder read it: its bytes, or null when it refused or ran out. */
async function readChunked(
  rand: Random,
  data: Uint8Array,
): Promise<{ streamed: string | null; pushed: string | null }> {
  let streamed: string | null = null;
  try {
    const source = chunkedSource(new ByteReader(pieces(rand, data)), 256);
    const received: Uint8Array[] = [];
    for (let piece = await source(); piece !== null; piece = await source()) received.push(piece.slice());
    streamed = Array.from(concat(...received)).join(",");
  } catch (error) {
    checkOutcome(error, "chunkedSource");
  }
  let pushed: string | null = null;
  try {
    const decoder = new ChunkedPushDecoder(256);
    const received: Uint8Array[] = [];
    // Fed in random cuts too, as a socket would.
    for (let at = 0; at < data.length && !decoder.done;) {
      const end = Math.min(data.length, at + 1 + rand.int(8));
      const piece = decoder.push(data.subarray(at, end));
      if (piece.error !== null) throw piece.error;
      received.push(...piece.data.map((view) => view.slice()));
      at += piece.consumed; // all of it, unless the body ended inside it
    }
    if (decoder.done) pushed = Array.from(concat(...received)).join(",");
  } catch (error) {
    checkOutcome(error, "ChunkedPushDecoder");
  }
  return { streamed, pushed };
}

describe("chunked decoder agreement", () => {
  it(
    `both chunked decoders read every mutated chunked body alike (seed ${SEED})`,
    { timeout: 600_000 },
    async () => {
      const count = Math.max(1000, Math.floor(INPUTS / 2));
      for (let index = 0; index < count; index++) {
        const rand = prng((SEED ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
        const data = mutate(rand, rand.pick(CHUNKED), CHUNKED);
        const { streamed, pushed } = await readChunked(rand, data);
        assert.equal(
          pushed,
          streamed,
          `seed ${SEED} chunked input ${index} ${
            JSON.stringify(new TextDecoder("latin1").decode(data))
          }: the decoders disagree`,
        );
      }
    },
  );
});
