/**
 * A tiny scrape target on a free loopback port that answers every request with a fixed body and records
 * what it was asked, so tests can check both what reached the target and what came back. It can also be
 * slow (`delayMs`) or serve a large generated body (`bodyBytes`) streamed in chunks, whose size and
 * SHA-256 are known up front so a test can check it arrived intact without holding it in memory.
 * @module
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { Buffer } from "node:buffer";
import type { ProcessSet } from "./process.ts";
import { drainedOrClosed } from "../../src/http/server/node_streams.ts";

/** One request the target received. */
export interface TargetRequest {
  readonly method: string;
  /** Request target as sent, e.g. `/metrics`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running static target. */
export interface StaticTarget {
  readonly port: number;
  /** Every request received so far, oldest first. */
  readonly requests: readonly TargetRequest[];
  /** The body it serves; "" when the body is generated (`bodyBytes`): see `size` and `sha256`. */
  readonly body: string;
  /** Length of the body it serves, in bytes. */
  readonly size: number;
  /** SHA-256 of the body it serves, lower-case hex. */
  readonly sha256: string;
}

/** Options for {@link startStaticTarget}. */
export interface StaticTargetOptions {
  readonly body?: string;
  readonly contentType?: string;
  /** Wait this long (ms) before answering, like a slow exporter. */
  readonly delayMs?: number;
  /** Serve a generated body of this many bytes instead of `body` (see {@link generatedBodyChunks}). */
  readonly bodyBytes?: number;
}

/** A body that looks like what Prometheus scrapes and is unique enough to recognise. */
export const DEFAULT_TARGET_BODY = "# HELP pushprox_test_metric A metric served by the test harness.\n" +
  "# TYPE pushprox_test_metric gauge\n" +
  'pushprox_test_metric{source="static_target"} 42\n';

/** Size of each piece of a generated body. */
export const GENERATED_CHUNK_BYTES = 64 * 1024;
const LINE_BYTES = 64;
const CHUNK_DIGITS = 7;

/** One 64-byte exposition line with a 7-digit slot (at CHUNK_SLOT) for the chunk number. */
function templateLine(line: number): string {
  const start = `pushprox_large_body{chunk="${"0".repeat(CHUNK_DIGITS)}",line="${
    String(line).padStart(4, "0")
  }",pad="`;
  const end = '"} 1\n';
  return start + "x".repeat(LINE_BYTES - start.length - end.length) + end;
}
const CHUNK_SLOT = 'pushprox_large_body{chunk="'.length;

/**
 * The pieces of a generated body of `size` bytes: 64 KiB each (the last one shorter), made of exposition
 * lines that carry their chunk's number, so a lost, repeated or reordered chunk changes the checksum.
 *
 * @example
 * ```ts
 * for (const chunk of generatedBodyChunks(100 * 1024 * 1024)) hash.update(chunk);
 * ```
 */
export function* generatedBodyChunks(size: number): Generator<Uint8Array> {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Cannot generate a body of ${size} bytes: expected a whole number of bytes >= 0`);
  }
  const lines = GENERATED_CHUNK_BYTES / LINE_BYTES;
  const template = Buffer.from(Array.from({ length: lines }, (_, i) => templateLine(i)).join(""), "latin1");
  for (let index = 0, offset = 0; offset < size; index++, offset += GENERATED_CHUNK_BYTES) {
    const chunk = Buffer.from(template.subarray(0, Math.min(GENERATED_CHUNK_BYTES, size - offset)));
    const digits = String(index % 10 ** CHUNK_DIGITS).padStart(CHUNK_DIGITS, "0");
    for (let at = CHUNK_SLOT; at + CHUNK_DIGITS <= chunk.length; at += LINE_BYTES) {
      chunk.write(digits, at, "latin1");
    }
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** SHA-256 (hex) of some chunks, read one at a time. */
function digestOf(chunks: Iterable<Uint8Array>): string {
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

/** Writes chunks one by one, waiting for the socket to drain; stops early if the peer went away. */
async function writeChunks(response: ServerResponse, chunks: Iterable<Uint8Array>): Promise<void> {
  for (const chunk of chunks) {
    if (response.destroyed) return;
    if (!response.write(chunk)) await drainedOrClosed(response);
  }
  response.end();
}

/** Starts a target that `procs.cleanup()` closes. */
export async function startStaticTarget(
  procs: ProcessSet,
  options: StaticTargetOptions = {},
): Promise<StaticTarget> {
  const generated = options.bodyBytes;
  const body = generated === undefined ? options.body ?? DEFAULT_TARGET_BODY : "";
  const chunks = (): Iterable<Uint8Array> =>
    generated === undefined ? [new Uint8Array(Buffer.from(body))] : generatedBodyChunks(generated);
  const size = generated ?? Buffer.byteLength(body);
  const sha256 = digestOf(chunks());
  const requests: TargetRequest[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const answer = (response: ServerResponse): void => {
    if (response.destroyed) return;
    response.writeHead(200, {
      "Content-Type": options.contentType ?? "text/plain; version=0.0.4; charset=utf-8",
      "Content-Length": String(size),
    });
    writeChunks(response, chunks()).catch(() => response.destroy());
  };
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    // Read and drop any request body, then answer (after the delay, if any).
    request.resume();
    request.on("end", () => {
      const delayMs = options.delayMs ?? 0;
      if (delayMs <= 0) return answer(response);
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(response);
      }, delayMs);
      timers.add(timer);
      // A scraper that gave up needs no answer; its timer must not outlive the test.
      response.once("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  procs.defer(() =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    })
  );
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { port, requests, body, size, sha256 };
}
