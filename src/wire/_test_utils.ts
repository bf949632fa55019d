/**
 * Helpers shared by the wire tests: fixture files, streams cut into chosen pieces, and a deliberately
 * naive chunked decoder to check the real one against.
 */

import { readdir, readFile } from "node:fs/promises";

/** Upstream's captured exchanges, kept in the repository (test/fixtures/pushprox-go-v0.2.0/README.txt). */
export const FIXTURES = new URL("../../test/fixtures/pushprox-go-v0.2.0/", import.meta.url);

/** One captured file: `scenario/name` relative to {@linkcode FIXTURES}. */
export interface FixtureFile {
  readonly scenario: string;
  readonly name: string;
  readonly path: string;
}

/** Every fixture file except README.txt, sorted. */
export async function listFixtures(): Promise<FixtureFile[]> {
  const out: FixtureFile[] = [];
  for (const scenario of (await readdir(FIXTURES)).sort()) {
    if (scenario === "README.txt") continue;
    for (const name of (await readdir(new URL(`${scenario}/`, FIXTURES))).sort()) {
      out.push({ scenario, name, path: `${scenario}/${name}` });
    }
  }
  return out;
}

/** The bytes of one fixture file. */
export async function readFixture(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(new URL(path, FIXTURES)));
}

/** Encodes text as UTF-8. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Decodes UTF-8. */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** A stream yielding `data` in pieces of `size` bytes (the last may be shorter). */
export function streamOf(data: Uint8Array, size = data.length || 1): ReadableStream<Uint8Array> {
  return streamOfPieces(data, () => size);
}

/** A stream yielding `data` in pieces whose sizes `nextSize` picks (at least 1 byte each). */
export function streamOfPieces(data: Uint8Array, nextSize: () => number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      const end = Math.min(data.length, offset + Math.max(1, nextSize()));
      // Copies, so a parser that wrongly keeps views into reused memory would be caught by other tests.
      controller.enqueue(data.slice(offset, end));
      offset = end;
    },
  }, { highWaterMark: 0 });
}

/** Reads a stream to its end and joins the pieces. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Joins byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Offset just past the first CRLFCRLF (end of a head written with CRLF), or -1. */
export function headEnd(data: Uint8Array): number {
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 13 && data[i + 1] === 10 && data[i + 2] === 13 && data[i + 3] === 10) return i + 4;
  }
  return -1;
}

/** Decodes a chunked body that is known to be well formed, the simplest possible way. */
export function naiveDechunk(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = data.indexOf(10, pos);
    const size = parseInt(text(data.subarray(pos, lineEnd)).split(";")[0]!.trim(), 16);
    pos = lineEnd + 1;
    if (size === 0) return concat(...parts);
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
}
