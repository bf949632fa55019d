/**
 * Test support for the raw server's fuzz test: what a case is, a seeded random source, a strict parser
 * for what a server sends back (so every reply can be checked for well-formedness), and builders for
 * request bytes. The cases themselves (http_fuzz_cases.ts) build on this file, not the other way round.
 */
import { createHash } from "node:crypto";

/** A request the generator meant to send, and the reply the echo handler gives for it. */
export interface Intended {
  readonly text: string;
  readonly reply: string;
  /** The server closes after answering it: HTTP/1.0 without keep-alive, or with an unframed reply. */
  readonly closes: boolean;
}

/** Replies a case must get: exact echoes, then (for `refuse`) one 4xx with a one-line reason or a bare close. */
export type Expect =
  | { kind: "echo"; replies: string[]; closes: boolean }
  | { kind: "refuse"; replies: string[]; statuses: number[] }
  | { kind: "loose" };

/** One fuzz case: bytes to send (each piece a separate write) and what the replies must be. */
export interface Case {
  readonly name: string;
  readonly pieces: string[];
  readonly expect: Expect;
  /** Close the connection this many ms after the last write, without waiting for replies. */
  readonly abortMs?: number;
}

/** A small deterministic generator (mulberry32): the same seed gives the same fuzz cases. */
export class Random {
  #state: number;
  /** Starts the sequence at `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** One response as it came off the wire. */
export interface WireResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Responses parsed from everything a server sent; `error` names the first well-formedness violation. */
export interface ParsedReplies {
  readonly responses: WireResponse[];
  /** Bytes after the last complete response (a response cut short, or garbage). */
  readonly rest: string;
  readonly error: string | null;
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-5]\d\d) [\t !-~\x80-\xff]*$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([\t !-~\x80-\xff]*)$/;

/**
 * Parses `text` (latin1) as a sequence of HTTP/1.1 responses, strictly: CRLF line ends, token names, a body
 * framed by Content-Length, valid chunks, or (only with `connection: close`) the end of the connection.
 * `closed` says whether the server closed the connection after `text`.
 */
export function parseReplies(text: string, closed: boolean): ParsedReplies {
  const responses: WireResponse[] = [];
  let at = 0;
  // A null error: the replies so far are fine, the last one has just not arrived whole (yet).
  const fail = (error: string | null): ParsedReplies => ({ responses, rest: text.slice(at), error });
  while (at < text.length) {
    const headEnd = text.indexOf("\r\n\r\n", at);
    if (headEnd === -1) return fail(closed ? "response cut inside its head" : null);
    const [statusLine, ...lines] = text.slice(at, headEnd).split("\r\n");
    const status = STATUS_LINE.exec(statusLine!);
    if (status === null) return fail(`bad status line ${JSON.stringify(statusLine!.slice(0, 80))}`);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const match = HEADER_LINE.exec(line);
      if (match === null) return fail(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = match[1]!.toLowerCase();
      if (headers.has(name)) return fail(`repeated header ${name}`);
      headers.set(name, match[2]!);
    }
    let pos = headEnd + 4;
    const code = Number(status[1]);
    let body = "";
    const length = headers.get("content-length");
    if (headers.has("transfer-encoding") && length !== undefined) return fail("both framings in a response");
    if (code < 200 || code === 204 || code === 304) {
      if (length !== undefined || headers.has("transfer-encoding")) {
        return fail(`${code} with a body framing`);
      }
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) return fail(`bad content-length ${length}`);
      if (pos + Number(length) > text.length) return fail(closed ? "body shorter than content-length" : null);
      body = text.slice(pos, pos + Number(length));
      pos += Number(length);
    } else if (headers.get("transfer-encoding") === "chunked") {
      for (;;) {
        const lineEnd = text.indexOf("\r\n", pos);
        if (lineEnd === -1) return fail(closed ? "chunked body cut short" : null);
        const size = text.slice(pos, lineEnd);
        if (!/^[0-9a-f]+$/.test(size)) return fail(`bad chunk size ${JSON.stringify(size)}`);
        const n = parseInt(size, 16);
        if (lineEnd + 2 + n + 2 > text.length) return fail(closed ? "chunk cut short" : null);
        if (text.slice(lineEnd + 2 + n, lineEnd + 4 + n) !== "\r\n") return fail("chunk without CRLF");
        body += text.slice(lineEnd + 2, lineEnd + 2 + n);
        pos = lineEnd + 4 + n;
        if (n === 0) break;
      }
    } else if (headers.get("connection") === "close") {
      body = text.slice(pos);
      pos = text.length;
      if (!closed) return fail(null);
    } else {
      return fail(`${code} without a body framing on a kept connection`);
    }
    responses.push({ status: code, headers, body });
    at = pos;
    if (code >= 200 && headers.get("connection") === "close" && at < text.length) {
      return fail("bytes after a response that said connection: close");
    }
  }
  return { responses, rest: "", error: null };
}

/** The first 8 hex digits of the SHA-256 of `bytes`: how the echo handler proves which body it saw. */
export function shortHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 8);
}

/** What the fuzz server's echo handler answers for a request with this method, URL and body. */
export function echoText(method: string, url: string, absolute: boolean, body: Uint8Array): string {
  return `${method} ${url} absolute=${absolute} len=${body.length} sha=${shortHash(body)}`;
}

/** Chunked encoding of `body` cut at random places, with optional extensions and trailers. */
export function chunked(random: Random, body: string): string {
  let out = "";
  for (let at = 0; at < body.length;) {
    const n = 1 + random.int(Math.max(1, body.length - at));
    const ext = random.chance(0.2) ? random.pick([";a=b", ";x", ' ; q="v;w"', ";a=b;c"]) : "";
    const size = random.chance(0.5) ? n.toString(16) : n.toString(16).toUpperCase();
    out += `${size}${ext}\r\n${body.slice(at, at + n)}\r\n`;
    at += n;
  }
  return out + "0\r\n" + (random.chance(0.3) ? "X-Trailer: t\r\n" : "") + "\r\n";
}

/** Checks one case's replies; returns what is wrong, or null. */
export function verdict(c: Case, text: string, closed: boolean): string | null {
  if (c.abortMs !== undefined) return null;
  const parsed = parseReplies(text, closed);
  if (parsed.error !== null) {
    return `malformed reply (${parsed.error}): ${JSON.stringify(text.slice(0, 300))}`;
  }
  const final = parsed.responses.filter((x) => x.status >= 200);
  const ok = final.filter((x) => x.status === 200).map((x) => x.body);
  for (const [i, x] of final.entries()) {
    if (x.status >= 400 && (!/^[^\n]*\n$/.test(x.body) || i !== final.length - 1 || !closed)) {
      return `a ${x.status} without a one-line reason and a close: ${JSON.stringify(x.body)}`;
    }
  }
  if (ok.some((body) => body.includes("/SMUGGLED"))) {
    return `a smuggled request was served: ${ok.join(" | ")}`;
  }
  const e = c.expect;
  if (e.kind === "loose") {
    const sent = c.pieces.join("");
    const bad = ok.find((b) => b !== "part0part1part2" && !sent.includes(`${b.split(" ")[0]} `));
    return bad === undefined ? null : `a 200 for a method never sent: ${bad}`;
  }
  if (e.kind === "echo") {
    if (JSON.stringify(ok) !== JSON.stringify(e.replies) || final.length !== ok.length) {
      return `expected ${JSON.stringify(e.replies)}, got ${
        JSON.stringify(final.map((x) => `${x.status} ${x.body}`))
      }`;
    }
    return e.closes && !closed ? "the connection stayed open after Connection: close" : null;
  }
  const refusal = final.slice(e.replies.length);
  const wanted = refusal.length === 0 ? e.statuses.includes(0) && closed : refusal.length === 1 &&
    e.statuses.includes(refusal[0]!.status);
  if (JSON.stringify(ok.slice(0, e.replies.length)) !== JSON.stringify(e.replies) || !wanted) {
    return `expected ${e.replies.length} echoes then ${e.statuses}, got ${
      JSON.stringify(final.map((x) => `${x.status} ${x.body}`))
    } closed=${closed}`;
  }
  return null;
}
