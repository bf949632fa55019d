/**
 * An incremental HTTP/1.1 response reader for the benchmark's own client. It counts body bytes instead of
 * keeping them, so a 100 MiB scrape costs the load generator no memory and little CPU, and it sees the
 * framing exactly as sent (no gzip decoding, no header normalisation).
 * @module
 */

/** One response read off the connection. */
export interface ReadResponse {
  readonly status: number;
  /** Header names lower-cased, the last value of a repeated header kept. */
  readonly headers: ReadonlyMap<string, string>;
  /** Bytes of the status line and headers, blank line included. */
  readonly headBytes: number;
  /** Body bytes after framing was removed (chunk-size lines not counted). */
  readonly bodyBytes: number;
  /** Every byte this response took on the wire. */
  readonly wireBytes: number;
  /** True when the body ran until the connection closed, so the connection cannot be reused. */
  readonly closeDelimited: boolean;
}

type State =
  | { kind: "head" }
  | { kind: "length"; remaining: number }
  | { kind: "chunk-size" }
  | { kind: "chunk-data"; remaining: number }
  | { kind: "chunk-end"; remaining: number }
  | { kind: "trailer" }
  | { kind: "until-eof" };

/** Heads larger than this are refused: a benchmark target never sends one, a broken peer might. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Feed it the bytes of one connection in order; it returns each response as soon as its last byte arrived.
 *
 * @example
 * ```ts
 * const parser = new ResponseParser();
 * parser.feed(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
 * // [{ status: 200, bodyBytes: 2, ... }]
 * ```
 */
export class ResponseParser {
  #state: State = { kind: "head" };
  #line: number[] = [];
  #head: Uint8Array[] = [];
  /** The last three bytes of the head so far: the blank line may straddle chunks. */
  #headTail = new Uint8Array(0);
  #headLength = 0;
  #status = 0;
  #headers = new Map<string, string>();
  #headBytes = 0;
  #bodyBytes = 0;
  #wireBytes = 0;

  /** True while no response is partly read: a clean place for the peer to close. */
  get idle(): boolean {
    return this.#state.kind === "head" && this.#headLength === 0;
  }

  /**
   * Consumes bytes; returns the responses they completed.
   * @throws {SyntaxError} for a malformed status line, header, chunk size or an oversized head.
   */
  feed(chunk: Uint8Array): ReadResponse[] {
    const done: ReadResponse[] = [];
    let at = 0;
    while (at < chunk.length) {
      const state = this.#state;
      if (state.kind === "head") {
        at = this.#readHead(chunk, at);
        if (this.#state.kind === "head") break;
        if (this.#bodyFinishedAtOnce()) done.push(this.#finish());
      } else if (state.kind === "length" || state.kind === "chunk-data" || state.kind === "chunk-end") {
        const take = Math.min(state.remaining, chunk.length - at);
        at += take;
        this.#wireBytes += take;
        state.remaining -= take;
        if (state.kind !== "chunk-end") this.#bodyBytes += take;
        if (state.remaining > 0) continue;
        if (state.kind === "length") done.push(this.#finish());
        else if (state.kind === "chunk-data") this.#state = { kind: "chunk-end", remaining: 2 };
        else this.#state = { kind: "chunk-size" };
      } else if (state.kind === "until-eof") {
        this.#bodyBytes += chunk.length - at;
        this.#wireBytes += chunk.length - at;
        at = chunk.length;
      } else {
        const line = this.#readLine(chunk, at);
        at = line.next;
        if (line.text === null) continue;
        if (state.kind === "chunk-size") {
          const size = parseChunkSize(line.text);
          this.#state = size === 0 ? { kind: "trailer" } : { kind: "chunk-data", remaining: size };
        } else if (line.text === "") {
          done.push(this.#finish());
        }
      }
    }
    return done;
  }

  /**
   * The connection ended: returns the response a close-delimited body completed, if any.
   * @throws {SyntaxError} when it ended inside a response of known length.
   */
  end(): ReadResponse | null {
    if (this.#state.kind === "until-eof") return this.#finish(true);
    if (this.idle) return null;
    throw new SyntaxError(`Connection ended inside a response (state ${this.#state.kind})`);
  }

  #readHead(chunk: Uint8Array, from: number): number {
    const tail = this.#headTail;
    const window = new Uint8Array(tail.length + chunk.length - from);
    window.set(tail);
    window.set(chunk.subarray(from), tail.length);
    const found = indexOfBlankLine(window);
    if (found < 0) {
      this.#head.push(chunk.slice(from));
      this.#headLength += chunk.length - from;
      this.#headTail = window.slice(Math.max(0, window.length - 3));
      if (this.#headLength > MAX_HEAD_BYTES) {
        throw new SyntaxError(`Response head exceeds ${MAX_HEAD_BYTES} bytes`);
      }
      return chunk.length;
    }
    const used = found + 4 - tail.length;
    this.#head.push(chunk.slice(from, from + used));
    this.#headLength += used;
    this.#parseHead();
    return from + used;
  }

  #parseHead(): void {
    const bytes = new Uint8Array(this.#headLength);
    let at = 0;
    for (const part of this.#head) {
      bytes.set(part, at);
      at += part.length;
    }
    const lines = latin1(bytes).split("\r\n");
    const match = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(lines[0] ?? "");
    if (match === null) throw new SyntaxError(`Cannot parse status line "${(lines[0] ?? "").slice(0, 80)}"`);
    this.#status = Number(match[1]);
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new SyntaxError(`Cannot parse header line "${line.slice(0, 80)}"`);
      this.#headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    this.#headBytes = this.#headLength;
    this.#wireBytes = this.#headLength;
    this.#head = [];
    this.#headTail = new Uint8Array(0);
    this.#headLength = 0;
    const status = this.#status;
    const encoding = this.#headers.get("transfer-encoding");
    const length = this.#headers.get("content-length");
    if ((status >= 100 && status < 200) || status === 204 || status === 304) {
      this.#state = { kind: "length", remaining: 0 };
    } else if (encoding !== undefined && /chunked\s*$/i.test(encoding)) {
      this.#state = { kind: "chunk-size" };
    } else if (length !== undefined) {
      const remaining = Number(length);
      if (!Number.isSafeInteger(remaining) || remaining < 0) {
        throw new SyntaxError(`Bad Content-Length "${length}"`);
      }
      this.#state = { kind: "length", remaining };
    } else {
      this.#state = { kind: "until-eof" };
    }
  }

  #bodyFinishedAtOnce(): boolean {
    return this.#state.kind === "length" && this.#state.remaining === 0;
  }

  #readLine(chunk: Uint8Array, from: number): { text: string | null; next: number } {
    const lf = chunk.indexOf(0x0a, from);
    const stop = lf < 0 ? chunk.length : lf + 1;
    for (let i = from; i < stop; i++) this.#line.push(chunk[i]!);
    this.#wireBytes += stop - from;
    if (this.#line.length > MAX_HEAD_BYTES) throw new SyntaxError("Chunk-size or trailer line too long");
    if (lf < 0) return { text: null, next: stop };
    const text = String.fromCharCode(...this.#line).replace(/\r?\n$/, "");
    this.#line = [];
    return { text, next: stop };
  }

  #finish(closeDelimited = false): ReadResponse {
    const response: ReadResponse = {
      status: this.#status,
      headers: this.#headers,
      headBytes: this.#headBytes,
      bodyBytes: this.#bodyBytes,
      wireBytes: this.#wireBytes,
      closeDelimited,
    };
    this.#state = { kind: "head" };
    this.#headers = new Map();
    this.#bodyBytes = 0;
    this.#wireBytes = 0;
    return response;
  }
}

function parseChunkSize(line: string): number {
  const text = line.split(";")[0]!.trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(text)) {
    throw new SyntaxError(`Cannot parse chunk size "${text.slice(0, 20)}"`);
  }
  return parseInt(text, 16);
}

function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(0x0d); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(0x0d, i + 1)) {
    if (bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) return i;
  }
  return -1;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
