/**
 * Client side: the scrape response as a push body, in the shape Go's `Response.Write` gives it upstream:
 * status line, framing header first, the other headers sorted by canonical key, then the body.
 */

import { latin1Encode, quoteExcerpt } from "./bytes_text.ts";
import { encodeChunk, lastChunk } from "./chunked.ts";
import { statusAllowsBody } from "./framing.ts";
import { encodeHeaderLines, sortByCanonicalKey, toHeaderLines } from "./header_lines.ts";
import { isFieldValue } from "./http_syntax.ts";
import { statusText } from "./status_text.ts";
import { toReasonPhrase } from "./reason_phrase.ts";
import type { HeaderLine } from "./types.ts";

// Framing headers are ours to write; the others describe the client-target connection, not this message.
const HOP_BY_HOP = new Set([
  "transfer-encoding",
  "content-length",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
]);

/** How the body goes on the wire. */
type Mode = { kind: "none" } | { kind: "chunked" } | { kind: "length"; length: number };

/**
 * Client side: the push body. Streams; never buffers the body. Pull-based: nothing is read from `body`
 * until the consumer asks, and at most one piece ahead.
 *
 * Framing: `Content-Length: N` when `options.contentLength` is a number (the stream errors if the body
 * yields more or fewer bytes), `Content-Length: 0` when `body` is null, else chunked with one chunk per
 * piece of `body`. Hop-by-hop and framing headers of `head.headers` are dropped; a name present in
 * `options.extraHeaders` replaces that name from `head.headers`. If `body` errors, so does the result.
 *
 * @example
 * ```ts
 * const upstream = await fetch("http://127.0.0.1:9100/metrics");
 * const push = serializeScrapeResponse(upstream, upstream.body, { extraHeaders: [["Id", id]] });
 * ```
 * @throws {RangeError} for a status outside 100-599, a bad contentLength, or a contentLength above 0
 * with a null body. {TypeError} for a locked body or a header or status text that cannot be written.
 */
export function serializeScrapeResponse(
  head: { status: number; statusText?: string; headers: Headers | readonly HeaderLine[] },
  body: ReadableStream<Uint8Array> | null,
  options?: SerializeOptions,
): ReadableStream<Uint8Array> {
  return framedScrapeResponse(head, body, options).body;
}

/** Options of {@linkcode serializeScrapeResponse} and {@linkcode framedScrapeResponse}. */
export interface SerializeOptions {
  /** The body's exact length: framed by Content-Length when given, else chunked. */
  readonly contentLength?: number | null;
  readonly extraHeaders?: readonly HeaderLine[];
  /** Errors the output with `error()` once the body passes `maxBytes` (the client's max body size). */
  readonly limit?: { readonly maxBytes: number; readonly error: () => Error };
}

/**
 * {@linkcode serializeScrapeResponse}, plus the length of the whole message when the body's length is
 * known (null when it goes chunked): what a push needs for its own Content-Length, without a second
 * stream to find where the head ends.
 *
 * @example
 * ```ts
 * const { body, length } = framedScrapeResponse(target, target.body, { contentLength: 1024 });
 * await fetch(pushUrl, { method: "POST", headers: { "Content-Length": String(length) }, body, duplex: "half" });
 * ```
 * @throws the same as {@linkcode serializeScrapeResponse}.
 */
export function framedScrapeResponse(
  head: { status: number; statusText?: string; headers: Headers | readonly HeaderLine[] },
  body: ReadableStream<Uint8Array> | null,
  options?: SerializeOptions,
): { body: ReadableStream<Uint8Array>; length: number | null } {
  if (body?.locked) throw new TypeError("Cannot serialize response: its body stream is locked");
  const declared = options?.contentLength ?? null;
  if (declared !== null && !(Number.isSafeInteger(declared) && declared >= 0)) {
    throw new RangeError(`Cannot serialize response: invalid contentLength ${declared}`);
  }
  const mode: Mode = !statusAllowsBody(head.status)
    ? { kind: "none" }
    : body === null
    ? nullBodyMode(declared)
    : declared !== null
    ? { kind: "length", length: declared }
    : { kind: "chunked" };
  // 1xx, 204 and 304 never carry a body, and RFC 9110 forbids framing headers on 204.
  const framing = !statusAllowsBody(head.status)
    ? ""
    : mode.kind === "chunked"
    ? "Transfer-Encoding: chunked\r\n"
    : `Content-Length: ${mode.kind === "length" ? mode.length : 0}\r\n`;
  const headBytes = encodeHead(
    head.status,
    head.statusText,
    framing,
    toHeaderLines(head.headers),
    options?.extraHeaders,
  );
  const length = mode.kind === "chunked"
    ? null
    : headBytes.length + (mode.kind === "length" ? mode.length : 0);
  return { body: bodyStream(headBytes, body, mode, options?.limit), length };
}

/**
 * Client side: the push body of a response whose body is already in memory (a small scrape), as one
 * Content-Length framed message with the same head {@linkcode serializeScrapeResponse} would write. One
 * array instead of a stream: the client's cost per small scrape is mostly per-object work.
 *
 * @example
 * ```ts
 * serializeBufferedScrapeResponse({ status: 200, headers: [["Content-Type", "text/plain"]] }, body, [["Id", id]]);
 * ```
 * @throws {RangeError} for a status outside 100-599, or a body on a status that cannot carry one.
 * {TypeError} for a header or status text that cannot be written.
 */
export function serializeBufferedScrapeResponse(
  head: { status: number; statusText?: string; headers: Headers | readonly HeaderLine[] },
  body: Uint8Array,
  extraHeaders: readonly HeaderLine[] = [],
): Uint8Array {
  const hasBody = statusAllowsBody(head.status);
  if (!hasBody && body.length > 0) {
    throw new RangeError(`Cannot serialize response: status ${head.status} cannot carry a body`);
  }
  const framing = hasBody ? `Content-Length: ${body.length}\r\n` : "";
  const headBytes = encodeHead(
    head.status,
    head.statusText,
    framing,
    toHeaderLines(head.headers),
    extraHeaders,
  );
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}

/**
 * Client side: a failed scrape as a push body (Content-Length framed, `text/plain; charset=utf-8` unless
 * `extraHeaders` names another Content-Type). Upstream writes `HTTP/0.0` and no framing here; we write a
 * proper HTTP/1.1 message, which Go's proxy reads just as well. `statusText` replaces the standard reason
 * phrase: Prometheus shows the status line (not the body) as a scrape's error, so a short cause there is
 * what an operator sees first. It is made safe first (`toReasonPhrase`: one printable line, 120 characters
 * at most); without one, the status code's standard phrase is written.
 *
 * @example
 * ```ts
 * serializeErrorResponse(502, "failed to scrape ...: connection refused", [["Id", id]], "target unreachable: connection refused");
 * serializeErrorResponse(403, "refusing to scrape http://h:22/: ...", [["Id", id]], "port 22 not allowed");
 * ```
 * @throws {RangeError} for a status outside 200-599 or one that has no body (204, 304). {TypeError} for a
 * header or status text that cannot be written.
 */
export function serializeErrorResponse(
  status: number,
  message: string,
  extraHeaders: readonly HeaderLine[] = [],
  statusText = "",
): Uint8Array {
  if (!statusAllowsBody(status)) {
    throw new RangeError(`Cannot serialize error response: status ${status} cannot carry a message`);
  }
  const text = new TextEncoder().encode(message);
  const contentType: HeaderLine = ["Content-Type", "text/plain; charset=utf-8"];
  const head = encodeHead(
    status,
    toReasonPhrase(statusText),
    `Content-Length: ${text.length}\r\n`,
    [contentType],
    extraHeaders,
  );
  const out = new Uint8Array(head.length + text.length);
  out.set(head);
  out.set(text, head.length);
  return out;
}

function nullBodyMode(declared: number | null): Mode {
  if (declared !== null && declared !== 0) {
    throw new RangeError(`Cannot serialize response: contentLength ${declared} but there is no body`);
  }
  return { kind: "none" };
}

function encodeHead(
  status: number,
  text: string | undefined,
  framing: string,
  headers: readonly HeaderLine[],
  extra: readonly HeaderLine[] = [],
): Uint8Array {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`Cannot serialize response: status ${status} is not in 100-599`);
  }
  const reason = text || statusText(status);
  if (!isFieldValue(reason)) {
    throw new TypeError(`Cannot serialize response: invalid status text ${quoteExcerpt(reason)}`);
  }
  const replaced = new Set(extra.map(([name]) => name.toLowerCase()));
  const kept = headers.filter(([name]) => !replaced.has(name.toLowerCase()));
  const lines = [...kept, ...extra].filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
  return latin1Encode(
    `HTTP/1.1 ${status} ${reason}\r\n${framing}${encodeHeaderLines(sortByCanonicalKey(lines))}\r\n`,
  );
}

function bodyStream(
  headBytes: Uint8Array,
  body: ReadableStream<Uint8Array> | null,
  mode: Mode,
  limit?: SerializeOptions["limit"],
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let sent = 0;
  let headSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headSent) {
        headSent = true;
        controller.enqueue(headBytes);
        if (mode.kind === "none" || body === null) {
          controller.close();
          await body?.cancel();
        }
        return;
      }
      reader ??= body!.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            if (mode.kind === "length" && sent !== mode.length) {
              throw new RangeError(
                `Cannot serialize response: body has ${sent} bytes, Content-Length says ${mode.length}`,
              );
            }
            if (mode.kind === "chunked") controller.enqueue(lastChunk());
            controller.close();
            return;
          }
          if (value.length === 0) continue;
          sent += value.length;
          // Checked here rather than by a stream of its own: each stream between target and proxy costs
          // a few microseconds per piece, which a 5 MiB scrape pays 80 times over.
          if (limit !== undefined && limit.maxBytes > 0 && sent > limit.maxBytes) throw limit.error();
          if (mode.kind === "length" && sent > mode.length) {
            throw new RangeError(
              `Cannot serialize response: body is longer than Content-Length ${mode.length}`,
            );
          }
          controller.enqueue(mode.kind === "chunked" ? encodeChunk(value) : value);
          return;
        }
      } catch (error) {
        // A push must be cut, never silently shortened: the proxy then sees a truncated message.
        controller.error(error);
        await reader.cancel(error).catch(() => {});
      }
    },
    cancel(reason) {
      return reader !== null ? reader.cancel(reason) : body?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
