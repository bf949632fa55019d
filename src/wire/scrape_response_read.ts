/**
 * Proxy side: reading a pushed scrape response. As it streams in, the head is parsed before the call
 * resolves and the body is decoded lazily as the caller reads it, so a scrape of any size passes through in
 * bounded memory. A small push already in memory is parsed in one synchronous pass by the same head rules.
 */

import {
  type BodySource,
  bodyStream,
  contentLengthSource,
  cutShort,
  declaredOverLimit,
  overLimit,
  streamFailure,
  untilEofSource,
} from "./body_source.ts";
import { ByteReader } from "./byte_reader.ts";
import { latin1Decode, quoteExcerpt } from "./bytes_text.ts";
import { chunkedSource } from "./chunked.ts";
import { responseFraming } from "./framing.ts";
import { isFieldValue, parseHeaderLine } from "./http_syntax.ts";
import { DEFAULT_MAX_HEADER_BYTES, MAX_HEADER_FIELDS } from "./request_head.ts";
import {
  type BufferedScrapeResponse,
  type HeaderLine,
  type ParsedScrapeResponse,
  type ScrapeResponseHead,
  WireError,
  type WireLimits,
} from "./types.ts";

// Lenient like Go: any HTTP/d.d (upstream's client writes "HTTP/0.0" for errors), extra spaces before the
// code, and no reason phrase at all.
const STATUS_LINE = /^(HTTP\/\d\.\d) +(\d{3})(?: (.*))?$/;

/**
 * Proxy side: parse a push body as it streams in. Resolves once the head is read; the body streams.
 * Rejects with WireError for a bad head; the body stream errors with WireError on bad framing,
 * truncation or past `limits.maxBodyBytes`. A declared Content-Length above that limit still yields the head
 * (the body then errors at once when read): only the caller knows which scrape the head answers, and that
 * scrape deserves a prompt, named failure rather than its full timeout. Aborting `headSignal` before the head
 * is complete cancels the stream and rejects.
 *
 * @example
 * ```ts
 * const { head, body } = await parseScrapeResponse(request.body!, { maxBodyBytes: 64 << 20 });
 * new Response(body, { status: head.status, headers: headersFromLines(head.headers, ["id"]) });
 * ```
 */
export async function parseScrapeResponse(
  stream: ReadableStream<Uint8Array>,
  limits?: WireLimits,
  headSignal?: AbortSignal,
): Promise<ParsedScrapeResponse> {
  const reader = new ByteReader(stream, streamFailure);
  const maxHeaderBytes = limits?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  // A sender that stalls inside the head must not hold the stream for ever: cancelling ends the pending read.
  const stopHead = () => void reader.cancel(headSignal?.reason);
  headSignal?.addEventListener("abort", stopHead, { once: true });
  try {
    if (headSignal?.aborted) throw new WireError("truncated", "gave up waiting for the response head");
    const head = await readHead(reader, maxHeaderBytes);
    headSignal?.removeEventListener("abort", stopHead);
    const headError = tooManyFields(head);
    if (headError !== null) {
      await reader.cancel();
      return { head, body: bodyStream(() => Promise.resolve(null), reader, limits), headError };
    }
    const maxBody = limits?.maxBodyBytes ?? Infinity;
    const declaredTooLarge = head.contentLength !== null && head.contentLength > maxBody;
    const source: BodySource = declaredTooLarge
      ? () => Promise.reject(declaredOverLimit(head.contentLength!, maxBody))
      : head.framing === "chunked"
      ? chunkedSource(reader, maxHeaderBytes)
      : head.framing === "content-length"
      ? contentLengthSource(reader, head.contentLength ?? 0)
      : head.framing === "until-eof"
      ? untilEofSource(reader)
      : () => Promise.resolve(null);
    // No body to come (1xx, 204, 304): release the stream now rather than when someone reads the body.
    if (head.framing === "none") await reader.cancel();
    return { head, body: bodyStream(source, reader, limits), headError: null };
  } catch (error) {
    headSignal?.removeEventListener("abort", stopHead);
    await reader.cancel();
    throw error;
  }
}

/**
 * Proxy side: parse a push that is already in memory (a small one, read whole), by the same head rules
 * as {@linkcode parseScrapeResponse}. Throws WireError for a bad head. A bad body does not throw: it comes
 * back as `bodyError` with the head, so the caller can fail the scrape the head names before any of the
 * body reaches its scraper. Null for a chunked body: the streaming parser's trailer rules are the ones
 * pushes are held to, so such a push goes through it (a fuzz test checks that the two parsers agree).
 *
 * @example
 * ```ts
 * const push = new TextEncoder().encode("HTTP/1.1 200 OK\r\nId: 7\r\nContent-Length: 2\r\n\r\nok");
 * const { head, body, bodyError } = parseBufferedScrapeResponse(push);
 * head.id; // "7"; body: bytes of "ok"; bodyError: null
 * ```
 */
export function parseBufferedScrapeResponse(
  bytes: Uint8Array<ArrayBuffer>,
  limits?: WireLimits,
): BufferedScrapeResponse | null {
  const maxHeaderBytes = limits?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  let at = 0;
  let budget = maxHeaderBytes;
  // The same line rules and the same budget as ByteReader.readLine, over bytes that are all here.
  const next = (): string => {
    const lf = bytes.indexOf(LF, at);
    if (lf === -1 ? bytes.length - at >= budget : lf + 1 - at > budget) throw headTooLarge(maxHeaderBytes);
    if (lf === -1) throw headCut(bytes.subarray(at));
    const line = latin1Decode(bytes.subarray(at, lf > at && bytes[lf - 1] === CR ? lf - 1 : lf));
    budget -= lf + 1 - at;
    at = lf + 1;
    return line;
  };
  const start = statusLine(next());
  const headers: HeaderLine[] = [];
  for (let line = next(); line !== ""; line = next()) headers.push(parseHeaderLine(line));
  const head = completeHead(start, headers);
  const headError = tooManyFields(head);
  if (headError !== null) return { head, body: bytes.subarray(0, 0), bodyError: headError };
  if (head.framing === "chunked") return null;
  const rest = bytes.subarray(at);
  const maxBody = limits?.maxBodyBytes ?? Infinity;
  let body = rest.subarray(0, 0);
  let bodyError: WireError | null = null;
  if (head.framing === "content-length") {
    const length = head.contentLength ?? 0;
    if (length > maxBody) bodyError = declaredOverLimit(length, maxBody);
    else if (rest.length < length) bodyError = cutShort(rest.length, length);
    else body = rest.subarray(0, length);
  } else if (head.framing === "until-eof") {
    body = rest;
  }
  if (bodyError === null && body.length > maxBody) bodyError = overLimit(maxBody);
  return { head, body: bodyError === null ? body : rest.subarray(0, 0), bodyError };
}

const LF = 0x0a;
const CR = 0x0d;

async function readHead(reader: ByteReader, maxBytes: number): Promise<ScrapeResponseHead> {
  let budget = maxBytes;
  const next = async (): Promise<string> => {
    const result = await reader.readLine(budget);
    if (result.kind === "too_long") throw headTooLarge(maxBytes);
    if (result.kind === "eof") throw headCut(result.partial);
    budget -= result.size;
    return latin1Decode(result.line);
  };
  const start = statusLine(await next());
  const headers: HeaderLine[] = [];
  for (let line = await next(); line !== ""; line = await next()) headers.push(parseHeaderLine(line));
  return completeHead(start, headers);
}

type StatusLine = Pick<ScrapeResponseHead, "proto" | "status" | "statusText">;

function statusLine(line: string): StatusLine {
  const match = STATUS_LINE.exec(line);
  const status = Number(match?.[2]);
  const statusText = match?.[3] ?? "";
  if (match === null || status < 100 || status > 599 || !isFieldValue(statusText)) {
    throw new WireError("malformed", `malformed status line ${quoteExcerpt(line)}`);
  }
  return { proto: match[1]!, status, statusText };
}

function completeHead(start: StatusLine, headers: HeaderLine[]): ScrapeResponseHead {
  const { framing, contentLength } = responseFraming(start.status, headers);
  const id = headers.find(([name]) => name.toLowerCase() === "id")?.[1] ?? null;
  return { ...start, headers, framing, contentLength, id };
}

/**
 * A head past {@linkcode MAX_HEADER_FIELDS} fields is refused only once it is whole, so that its Id is
 * known and the scrape it answers can fail at once; reading its lines costs time linear in its bytes.
 */
function tooManyFields(head: ScrapeResponseHead): WireError | null {
  if (head.headers.length <= MAX_HEADER_FIELDS) return null;
  return new WireError(
    "too_large",
    `response head has ${head.headers.length} header fields, more than ${MAX_HEADER_FIELDS}`,
  );
}

function headTooLarge(maxBytes: number): WireError {
  return new WireError("too_large", `response head exceeds ${maxBytes} bytes`);
}

function headCut(partial: Uint8Array): WireError {
  return new WireError("truncated", `response ended inside its head (last line ${quoteExcerpt(partial)})`);
}
