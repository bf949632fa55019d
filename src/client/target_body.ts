/**
 * Reading a target's body the way its push will carry it: whole when it is small, as a stream otherwise.
 * Whole is much cheaper on both sides: the client sends one array in one write, and the proxy reads a
 * push with a small Content-Length in one call instead of through its streaming parser. Bodies without a
 * Content-Length are common (node exporter sends its gzip chunked), so they are read ahead to find out.
 */
import { headerContentLength } from "../wire/framing.ts";
import { joinBytes } from "../wire/bytes_text.ts";

/**
 * Bodies up to this size are read whole. 64 KiB covers node exporter (about 10 KB gzipped, 60 KB plain)
 * and is nothing against a large scrape's memory bound. The proxy reads pushes whole up to the same size.
 */
export const WHOLE_BODY_BYTES = 64 * 1024;

/**
 * The body of `response`: its bytes when it declares at most {@linkcode WHOLE_BODY_BYTES}, or declares
 * nothing and ends within that many; otherwise a stream of it (for an undeclared length, beginning with
 * the bytes read ahead); null when there is no body.
 *
 * @example
 * ```ts
 * const body = await readTargetBody(response, url);
 * if (body instanceof Uint8Array) pushWhole(body); else pushStreamed(body);
 * ```
 * @throws {Error} when the body breaks, or has more bytes than its Content-Length says.
 */
export async function readTargetBody(
  response: Response,
  url: URL,
): Promise<Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null> {
  const declared = headerContentLength(response.headers);
  if (declared !== null && declared <= WHOLE_BODY_BYTES) {
    // Fewer bytes than declared only for a bodiless answer (HEAD, 204, 304): the HTTP client rejects a
    // body cut short.
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > declared) {
      throw new Error(
        `response of ${url.href} has ${body.byteLength} bytes, its Content-Length says ${declared}`,
      );
    }
    return body;
  }
  if (response.body === null || declared !== null) return response.body;
  const reader = response.body.getReader();
  const ahead: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  while (size <= WHOLE_BODY_BYTES) {
    const { done, value } = await reader.read();
    // Our HTTP client lends its read buffers to the body; those kept here are left to the GC rather than
    // recycled, which for a small body is cheaper than the streams it saves.
    if (done) return joinBytes(ahead);
    ahead.push(value as Uint8Array<ArrayBuffer>);
    size += value.byteLength;
  }
  return continued(ahead, reader);
}

/** A stream of `ahead`, then of whatever `reader` still has. */
function continued(
  ahead: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = ahead.shift() ?? await reader.read().then(({ done, value }) => done ? null : value);
      if (next === null) controller.close();
      else controller.enqueue(next);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
