/**
 * Size limits on bodies that come from the network. The client never holds a whole scrape in memory: it
 * reads small bodies (polls) up to a cap; scrape bodies are counted as the push serializer streams them.
 */
import { headerContentLength } from "../wire/framing.ts";

/** Thrown (or used to error a stream) when a body is larger than allowed. */
export class BodyTooLargeError extends RangeError {
  readonly limit: number;
  constructor(message: string, limit: number) {
    super(message);
    this.name = "BodyTooLargeError";
    this.limit = limit;
  }
}

/**
 * Reads a whole body that must be small, giving up (and cancelling the stream) past `maxBytes`.
 *
 * @example
 * ```ts
 * const bytes = await readCapped(response.body, 1 << 20, "poll response");
 * ```
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(`${what} is larger than ${maxBytes} bytes`, maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads the whole body of a response that must be small, as {@linkcode readCapped} does. A body that
 * declares its length within the cap is read in one native call, without a stream: that is every poll and
 * push answer, and it keeps the client's per-scrape work small.
 *
 * @example
 * ```ts
 * const bytes = await readResponseCapped(response, 1 << 20, "poll response");
 * ```
 */
export async function readResponseCapped(
  response: Response,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const declared = headerContentLength(response.headers);
  if (declared !== null && declared <= maxBytes) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    // The HTTP client enforces the declared length; this only guards against one that does not.
    if (bytes.byteLength > maxBytes) {
      throw new BodyTooLargeError(`${what} is larger than ${maxBytes} bytes`, maxBytes);
    }
    return bytes;
  }
  return await readCapped(response.body, maxBytes, what);
}

/**
 * Reads at most `maxBytes` of a body for an error message and discards the rest.
 *
 * @example
 * ```ts
 * const excerpt = await readExcerpt(response.body, 200); // "request is expired"
 * ```
 */
export async function readExcerpt(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string> {
  if (body === null) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, maxBytes - size);
      size += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
  } catch {
    // A broken body still leaves whatever arrived as the excerpt.
  } finally {
    await reader.cancel().catch(() => {});
  }
  // One log line per failure: newlines and other control characters in the body become spaces.
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, " ").trim();
}
