/**
 * Turning a pull function ("give me the next decoded piece") into the body stream a caller sees, with the
 * body-size limit and the release of the underlying stream handled in one place for every framing.
 */

import type { ByteReader } from "./byte_reader.ts";
import { quoteExcerpt } from "./bytes_text.ts";
import { WireError, type WireLimits } from "./types.ts";

/** Yields the next decoded body piece, or null after the last one. Throws WireError on bad framing. */
export type BodySource = () => Promise<Uint8Array | null>;

/**
 * Wraps a source in a pull-based stream that reads nothing until its consumer asks (high-water mark 0),
 * errors with WireError("too_large") once more than `limits.maxBodyBytes` bytes came through, and cancels
 * the underlying reader when it ends, fails or is cancelled.
 *
 * @example
 * ```ts
 * const body = bodyStream(contentLengthSource(reader, 5), reader, { maxBodyBytes: 1024 });
 * ```
 */
export function bodyStream(
  source: BodySource,
  reader: ByteReader,
  limits?: WireLimits,
): ReadableStream<Uint8Array> {
  const max = limits?.maxBodyBytes ?? Infinity;
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const piece = await source();
        if (piece === null) {
          controller.close();
          await reader.cancel();
          return;
        }
        total += piece.length;
        if (total > max) throw overLimit(max);
        controller.enqueue(piece);
      } catch (error) {
        controller.error(error);
        await reader.cancel();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * A body framed by Content-Length: exactly `length` bytes, WireError("truncated") if the stream ends
 * sooner. Bytes after them are not read (upstream's push bodies end there anyway).
 */
export function contentLengthSource(reader: ByteReader, length: number): BodySource {
  let remaining = length;
  return async () => {
    if (remaining === 0) return null;
    const piece = await reader.readUpTo(remaining);
    if (piece === null) throw cutShort(length - remaining, length);
    remaining -= piece.length;
    return piece;
  };
}

/** A Content-Length body that ended after `received` of its `length` bytes. */
export function cutShort(received: number, length: number): WireError {
  return new WireError(
    "truncated",
    `body ended after ${received} of ${length} bytes announced by Content-Length`,
  );
}

/** A body that grew past the limit. */
export function overLimit(max: number): WireError {
  return new WireError("too_large", `body exceeds the limit of ${max} bytes`);
}

/** A body that declared more than the limit before any of it arrived. */
export function declaredOverLimit(length: number, max: number): WireError {
  return new WireError("too_large", `Content-Length ${length} exceeds the body limit of ${max} bytes`);
}

/** A body without framing: everything up to the end of the stream (upstream's `HTTP/0.0 500` pushes). */
export function untilEofSource(reader: ByteReader): BodySource {
  return () => reader.readUpTo(Number.MAX_SAFE_INTEGER);
}

/**
 * What a failing underlying stream becomes: the message was cut, so WireError("truncated"), with the
 * stream's error as cause. Only stream failures are mapped; a bug in a decoder stays what it is.
 *
 * @example
 * ```ts
 * const reader = new ByteReader(request.body, streamFailure);
 * ```
 */
export function streamFailure(error: unknown): WireError {
  const detail = error instanceof Error ? error.message : String(error);
  return new WireError("truncated", `stream failed: ${quoteExcerpt(detail)}`, { cause: error });
}
