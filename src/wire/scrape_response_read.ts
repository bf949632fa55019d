/**
 * Proxy side: reading a pushed scrape response as it streams in. The head is parsed before the call
 * resolves; the body is decoded lazily as the caller reads it, so a scrape of any size passes through in
 * bounded memory.
 */

import {
  type BodySource,
  bodyStream,
  contentLengthSource,
  streamFailure,
  untilEofSource,
} from "./body_source.ts";
import { ByteReader } from "./byte_reader.ts";
import { latin1Decode, quoteExcerpt } from "./bytes_text.ts";
import { chunkedSource } from "./chunked.ts";
import { responseFraming } from "./framing.ts";
import { isFieldValue, parseHeaderLine } from "./http_syntax.ts";
import { DEFAULT_MAX_HEADER_BYTES } from "./request_head.ts";
import {
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
    const maxBody = limits?.maxBodyBytes ?? Infinity;
    const declaredTooLarge = head.contentLength !== null && head.contentLength > maxBody;
    const source: BodySource = declaredTooLarge
      ? () =>
        Promise.reject(
          new WireError(
            "too_large",
            `Content-Length ${head.contentLength} exceeds the body limit of ${maxBody} bytes`,
          ),
        )
      : head.framing === "chunked"
      ? chunkedSource(reader, maxHeaderBytes)
      : head.framing === "content-length"
      ? contentLengthSource(reader, head.contentLength ?? 0)
      : head.framing === "until-eof"
      ? untilEofSource(reader)
      : () => Promise.resolve(null);
    // No body to come (1xx, 204, 304): release the stream now rather than when someone reads the body.
    if (head.framing === "none") await reader.cancel();
    return { head, body: bodyStream(source, reader, limits) };
  } catch (error) {
    headSignal?.removeEventListener("abort", stopHead);
    await reader.cancel();
    throw error;
  }
}

async function readHead(reader: ByteReader, maxBytes: number): Promise<ScrapeResponseHead> {
  let budget = maxBytes;
  const next = async (): Promise<string> => {
    const result = await reader.readLine(budget);
    if (result.kind === "too_long") {
      throw new WireError("too_large", `response head exceeds ${maxBytes} bytes`);
    }
    if (result.kind === "eof") {
      throw new WireError(
        "truncated",
        `response ended inside its head (last line ${quoteExcerpt(result.partial)})`,
      );
    }
    budget -= result.size;
    return latin1Decode(result.line);
  };
  const statusLine = await next();
  const match = STATUS_LINE.exec(statusLine);
  const status = Number(match?.[2]);
  const statusText = match?.[3] ?? "";
  if (match === null || status < 100 || status > 599 || !isFieldValue(statusText)) {
    throw new WireError("malformed", `malformed status line ${quoteExcerpt(statusLine)}`);
  }
  const headers: HeaderLine[] = [];
  for (let line = await next(); line !== ""; line = await next()) headers.push(parseHeaderLine(line));
  const { framing, contentLength } = responseFraming(status, headers);
  const id = headers.find(([name]) => name.toLowerCase() === "id")?.[1] ?? null;
  return { proto: match[1]!, status, statusText, headers, framing, contentLength, id };
}
