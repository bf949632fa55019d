/**
 * A small, strict HTTP/1.x message codec for tests: it reads exactly what went over the wire (fixtures,
 * raw sockets) without the normalisation `fetch` applies, so tests can see framing, header case and order.
 * It is deliberately independent of `src/wire/`: tests that check the project's wire code must not
 * lean on it.
 * @module
 */
import { Buffer } from "node:buffer";

/** One header line as sent: name in its original case, value without surrounding blanks. */
export type HeaderLine = readonly [name: string, value: string];

/** Requests and responses differ in how a body without framing headers is read. */
export type MessageKind = "request" | "response";

/** How the body was delimited on the wire. */
export type Framing = "content-length" | "chunked" | "until-eof" | "none";

/** One parsed HTTP/1.x message. */
export interface HttpMessage {
  /** e.g. `GET http://127.0.0.1:9100/metrics HTTP/1.1` or `HTTP/0.0 500 Internal Server Error`. */
  readonly startLine: string;
  readonly headers: readonly HeaderLine[];
  readonly framing: Framing;
  /** Body with the framing removed (chunk-size lines gone). */
  readonly body: Uint8Array;
  /** The exact bytes of the whole message. */
  readonly raw: Uint8Array;
}

/** Bytes of a string, one byte per char (HTTP heads are Latin-1 on the wire). */
export function latin1Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

/** Chars of some bytes, one char per byte: lossless, so binary bodies survive a round trip. */
export function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The body as UTF-8 text. */
export function bodyText(message: HttpMessage): string {
  return new TextDecoder().decode(message.body);
}

/** All values of a header, compared case-insensitively, in wire order. */
export function headerValues(message: Pick<HttpMessage, "headers">, name: string): string[] {
  const wanted = name.toLowerCase();
  return message.headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
}

/** The first value of a header, or undefined. */
export function headerValue(message: Pick<HttpMessage, "headers">, name: string): string | undefined {
  return headerValues(message, name)[0];
}

/** The status code of a response (throws SyntaxError on a request). */
export function statusOf(message: HttpMessage): number {
  const match = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(message.startLine);
  if (!match) throw new SyntaxError(`Cannot read a status from "${message.startLine}": not a response line`);
  return Number(match[1]);
}

/** Method and request target of a request line, e.g. `["POST", "/poll"]`. */
export function requestTarget(message: HttpMessage): [method: string, target: string] {
  const match = /^([A-Z]+) (\S+) HTTP\/\d\.\d$/.exec(message.startLine);
  if (!match) throw new SyntaxError(`Cannot read a request line from "${message.startLine}"`);
  return [match[1]!, match[2]!];
}

/** Where the head ends: index just past the blank line, or -1 when it has not all arrived. */
function headEnd(buffer: Uint8Array): number {
  for (let i = 3; i < buffer.length; i++) {
    if (buffer[i] === 10 && buffer[i - 1] === 13 && buffer[i - 2] === 10 && buffer[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

function parseHead(text: string): { startLine: string; headers: HeaderLine[] } {
  const lines = text.split("\r\n");
  const startLine = lines[0] ?? "";
  const headers: HeaderLine[] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new SyntaxError(`Cannot parse header line "${line}": no name before a colon`);
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

function framingOf(kind: MessageKind, startLine: string, headers: readonly HeaderLine[]): Framing {
  if (kind === "response") {
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(startLine)?.[1] ?? NaN);
    if (Number.isNaN(status)) throw new SyntaxError(`Cannot parse status line "${startLine}"`);
    if ((status >= 100 && status < 200) || status === 204 || status === 304) return "none";
  }
  const encoding = headerValue({ headers }, "transfer-encoding");
  if (encoding !== undefined && /\bchunked\s*$/i.test(encoding)) return "chunked";
  if (headerValue({ headers }, "content-length") !== undefined) return "content-length";
  return kind === "request" ? "none" : "until-eof";
}

/** Decodes chunked framing starting at `start`; null when incomplete. */
function readChunked(buffer: Uint8Array, start: number): { body: Uint8Array; end: number } | null {
  const parts: Uint8Array[] = [];
  let at = start;
  for (;;) {
    const lineEnd = indexOfCrlf(buffer, at);
    if (lineEnd < 0) return null;
    const sizeText = latin1Text(buffer.subarray(at, lineEnd)).split(";")[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new SyntaxError(`Cannot parse chunk size "${sizeText}"`);
    const size = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) {
      // Trailer lines until an empty one.
      for (;;) {
        const trailerEnd = indexOfCrlf(buffer, at);
        if (trailerEnd < 0) return null;
        const empty = trailerEnd === at;
        at = trailerEnd + 2;
        if (empty) return { body: concatBytes(parts), end: at };
      }
    }
    if (buffer.length < at + size + 2) return null;
    parts.push(buffer.subarray(at, at + size));
    if (buffer[at + size] !== 13 || buffer[at + size + 1] !== 10) {
      throw new SyntaxError(`Chunk of ${size} bytes is not followed by CRLF`);
    }
    at += size + 2;
  }
}

function indexOfCrlf(buffer: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buffer.length; i++) if (buffer[i] === 13 && buffer[i + 1] === 10) return i;
  return -1;
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Parses one message from the start of `buffer`. Returns null when more bytes are needed; `ended` says
 * none will come (then a body read until EOF is complete, and a cut-off message is a SyntaxError).
 */
export function tryParseMessage(
  buffer: Uint8Array,
  kind: MessageKind,
  ended: boolean,
): { message: HttpMessage; consumed: number } | null {
  const bodyStart = headEnd(buffer);
  if (bodyStart < 0) {
    if (ended && buffer.length > 0) throw new SyntaxError(`Connection ended inside a ${kind} head`);
    return null;
  }
  const { startLine, headers } = parseHead(latin1Text(buffer.subarray(0, bodyStart - 4)));
  const framing = framingOf(kind, startLine, headers);
  let body: Uint8Array;
  let end: number;
  if (framing === "none") {
    body = new Uint8Array(0);
    end = bodyStart;
  } else if (framing === "content-length") {
    const length = Number(headerValue({ headers }, "content-length"));
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new SyntaxError(`Bad Content-Length in ${startLine}`);
    }
    end = bodyStart + length;
    if (buffer.length < end) return incomplete(ended, kind, startLine);
    body = buffer.slice(bodyStart, end);
  } else if (framing === "chunked") {
    const chunked = readChunked(buffer, bodyStart);
    if (chunked === null) return incomplete(ended, kind, startLine);
    body = chunked.body;
    end = chunked.end;
  } else {
    if (!ended) return null;
    end = buffer.length;
    body = buffer.slice(bodyStart);
  }
  const message = { startLine, headers, framing, body, raw: buffer.slice(0, end) };
  return { message, consumed: end };
}

function incomplete(ended: boolean, kind: MessageKind, startLine: string): null {
  if (ended) throw new SyntaxError(`Connection ended inside the body of ${kind} "${startLine}"`);
  return null;
}

/** Parses bytes that hold exactly one complete message (a fixture file, a pushed body). */
export function parseMessage(bytes: Uint8Array, kind: MessageKind): HttpMessage {
  const parsed = tryParseMessage(bytes, kind, true);
  if (parsed === null) throw new SyntaxError(`Incomplete ${kind}: ${bytes.length} bytes`);
  if (parsed.consumed !== bytes.length) {
    throw new SyntaxError(
      `${bytes.length - parsed.consumed} bytes follow the ${kind} "${parsed.message.startLine}"`,
    );
  }
  return parsed.message;
}

/**
 * Serializes a message with a new body, keeping its start line, header order and kind of framing
 * (Content-Length is updated, a chunked body is sent as one chunk).
 */
export function reframe(message: HttpMessage, body: Uint8Array): Uint8Array {
  const headers = message.headers.map(([name, value]): HeaderLine =>
    message.framing === "content-length" && name.toLowerCase() === "content-length"
      ? [name, String(body.length)]
      : [name, value]
  );
  const head = latin1Bytes(
    `${message.startLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`,
  );
  if (message.framing === "chunked") {
    const chunk = body.length > 0
      ? [latin1Bytes(`${body.length.toString(16)}\r\n`), body, latin1Bytes("\r\n")]
      : [];
    return concatBytes([head, ...chunk, latin1Bytes("0\r\n\r\n")]);
  }
  if (message.framing === "none" && body.length > 0) {
    throw new RangeError(
      `Cannot put a ${body.length}-byte body in "${message.startLine}": it has no body framing`,
    );
  }
  return concatBytes([head, body]);
}

/** Replaces every occurrence of `from` by `to` in bytes, treating them as Latin-1 (lossless). */
export function replaceBytes(bytes: Uint8Array, from: string, to: string): Uint8Array {
  return latin1Bytes(latin1Text(bytes).replaceAll(from, to));
}
