/**
 * Writing a Web `Response` to a raw HTTP/1.1 connection: status line, headers, and a body framed with
 * Content-Length when the Response declares one or ends within its first piece, else chunked. Bodies are
 * pulled one piece at a time and each piece is written before the next is pulled, so a slow reader slows
 * the producer instead of filling memory.
 */
import { concatBytes, latin1Encode } from "../../wire/bytes_text.ts";
import { encodeChunk, lastChunk } from "../../wire/chunked.ts";
import { statusAllowsBody } from "../../wire/framing.ts";
import { statusText } from "../../wire/status_text.ts";

/** A first body piece up to this size is copied behind the head so both leave in one write. */
const JOIN_BYTES = 64 * 1024;

/** Where response bytes go: `write` returns a promise only when the socket could not take them all yet. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void> | undefined;
}

/** Facts about the request and connection that shape the response framing. */
export interface ResponseContext {
  /** The request was HEAD: headers as for GET, no body. */
  readonly headRequest: boolean;
  /** What the Connection header must say: "close" when the connection ends after this response. */
  readonly connection: "close" | "keep-alive" | null;
  /** Value for a Date header when the response has none (RFC 9110 asks origin servers to send one). */
  readonly date: string;
  /**
   * The request was HTTP/1.0. Such a client cannot read chunked framing (RFC 9112 section 7.1), and keeps
   * the connection only when the response says `connection: keep-alive` (section 9.3).
   */
  readonly http10?: boolean;
}

/** Hop-by-hop and framing headers: this writer frames the body itself. */
const NOT_RELAYED = new Set([
  "transfer-encoding",
  "connection",
  "keep-alive",
  "content-length",
  "set-cookie",
]);

/**
 * Writes `response` to `sink`. Resolves when the last byte was handed to the socket: to true when the body
 * went out unframed, ended only by closing the connection (a body of unknown length for an HTTP/1.0
 * client), which the caller must then do; else to false.
 *
 * @example
 * ```ts
 * await writeResponse(sink, new Response("ok"), { headRequest: false, connection: null, date });
 * // HTTP/1.1 200 OK, Content-Length: 2, ..., "ok"
 * ```
 * @throws {RangeError} when the body's length differs from its Content-Length: the connection must then
 * be closed, since the peer cannot tell where the response ends. Also rejects with the body's own error.
 */
export async function writeResponse(
  sink: ByteSink,
  response: Response,
  context: ResponseContext,
): Promise<boolean> {
  const status = response.status;
  let fields = `HTTP/1.1 ${status} ${response.statusText || statusText(status)}\r\n`;
  let hasDate = false;
  response.headers.forEach((value, name) => {
    if (NOT_RELAYED.has(name)) return;
    if (name === "date") hasDate = true;
    fields += `${name}: ${value}\r\n`;
  });
  for (const cookie of response.headers.getSetCookie()) fields += `set-cookie: ${cookie}\r\n`;
  if (!hasDate) fields += `date: ${context.date}\r\n`;
  const http10 = context.http10 === true;
  const kept = context.connection ?? (http10 ? "keep-alive" : null);
  const head = (connection: string | null) =>
    connection === null ? fields : `${fields}connection: ${connection}\r\n`;
  const declared = response.headers.get("content-length");

  if (context.headRequest || !statusAllowsBody(status)) {
    let out = head(kept);
    if (declared !== null && statusAllowsBody(status)) out += `content-length: ${declared}\r\n`;
    await response.body?.cancel().catch(() => {});
    await sink.write(latin1Encode(`${out}\r\n`));
    return false;
  }

  const length = declared !== null && /^\d{1,15}$/.test(declared) ? Number(declared) : null;
  if (length !== null && length <= JOIN_BYTES) {
    // A small declared body (every poll answer, nearly every relayed scrape) is taken whole: one native
    // call instead of a reader and its reads, then head and body leave in one write. Our handlers' bodies
    // never outgrow what they declare, so reading before comparing holds at most what they produced.
    // `response.body` is not touched first: for a byte body, Bun would build a stream just to answer.
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length === length) {
      await sink.write(concatBytes(latin1Encode(`${head(kept)}content-length: ${declared}\r\n\r\n`), bytes));
      return false;
    }
    // No body at all is answered as empty below, whatever was declared; any other mismatch is refused.
    if (response.body !== null) throw lengthMismatch(bytes.length, length);
  }

  const body = response.body;
  if (body === null) {
    await sink.write(latin1Encode(`${head(kept)}content-length: 0\r\n\r\n`));
    return false;
  }

  const reader = body.getReader();
  try {
    if (length !== null) {
      const headBytes = latin1Encode(`${head(kept)}content-length: ${declared}\r\n\r\n`);
      // The head leaves with a small first piece: one socket write instead of two for nearly every scrape
      // relayed to Prometheus, and a write is most of what the proxy spends per response.
      const first = await nextPiece(reader);
      if (first !== null && first.length <= Math.min(length, JOIN_BYTES)) {
        await sink.write(concatBytes(headBytes, first));
        await writeRaw(sink, reader, length, first.length);
      } else {
        await sink.write(headBytes);
        await writeRaw(sink, reader, length, 0, first);
      }
      return false;
    }
    const first = await nextPiece(reader);
    const second = first === null ? null : await nextPiece(reader);
    if (second === null) {
      // The whole body came in one piece (Hono's c.text(), a buffered scrape): a length is cheaper to frame
      // and lets the head and body leave in one write.
      const bytes = first ?? new Uint8Array(0);
      await sink.write(
        concatBytes(latin1Encode(`${head(kept)}content-length: ${bytes.length}\r\n\r\n`), bytes),
      );
      return false;
    }
    if (http10) {
      await sink.write(concatBytes(latin1Encode(`${head("close")}\r\n`), first!));
      for (let piece: Uint8Array | null = second; piece !== null; piece = await nextPiece(reader)) {
        await sink.write(piece);
      }
      return true;
    }
    await sink.write(
      concatBytes(latin1Encode(`${head(kept)}transfer-encoding: chunked\r\n\r\n`), encodeChunk(first!)),
    );
    await sink.write(encodeChunk(second));
    for (let piece = await nextPiece(reader); piece !== null; piece = await nextPiece(reader)) {
      await sink.write(encodeChunk(piece));
    }
    await sink.write(lastChunk());
    return false;
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Writes the rest of a Content-Length body: `sent` bytes already went, `pending` was read but not sent. */
async function writeRaw(
  sink: ByteSink,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  declared: number,
  sent: number,
  pending: Uint8Array | null = null,
): Promise<void> {
  let size = sent;
  for (let piece = pending ?? await nextPiece(reader); piece !== null; piece = await nextPiece(reader)) {
    size += piece.length;
    if (size > declared) break;
    await sink.write(piece);
  }
  if (size !== declared) throw lengthMismatch(size, declared);
}

function lengthMismatch(size: number, declared: number): RangeError {
  const actual = size > declared ? `more than ${declared}` : `${size}`;
  return new RangeError(
    `Cannot send response: its body has ${actual} bytes, its Content-Length says ${declared}`,
  );
}

/** The next non-empty piece, or null at the end. */
async function nextPiece(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | null> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return null;
    if (value.length > 0) return value;
  }
}
