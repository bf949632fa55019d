/**
 * Reads a small request body whole, refusing more than `maxBytes` and giving up on a sender that stalls.
 * Used for poll bodies (an FQDN) and small pushes. A body that declares its length is taken in one call
 * (no reader, no read per piece); one that does not is read piece by piece, so an endless one is cut off.
 */
import { HttpError } from "./http_error.ts";
import { joinBytes } from "../wire/bytes_text.ts";
import { headerContentLength } from "../wire/framing.ts";
import type { Clock } from "../time/clock.ts";

/**
 * The body of `request`, whole. Rejects with HttpError 413 past `maxBytes` (at once when the declared
 * length says so), 408 when it has not all arrived within `stallMs`.
 */
export async function readSmallBody(
  request: Request,
  maxBytes: number,
  stallMs: number,
  timers: Clock,
): Promise<Uint8Array<ArrayBuffer>> {
  if (request.body === null) return new Uint8Array(0);
  const declared = headerContentLength(request.headers);
  if (declared !== null && declared > maxBytes) {
    await request.body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  let timer: unknown;
  const stalled = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(
      () => reject(new HttpError(408, `request body did not arrive within ${stallMs / 1000}s`)),
      stallMs,
    );
  });
  stalled.catch(() => {});
  try {
    if (declared !== null) return new Uint8Array(await Promise.race([request.arrayBuffer(), stalled]));
    return await readPieces(request.body, maxBytes, stalled);
  } finally {
    timers.clearTimeout(timer);
  }
}

async function readPieces(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  stalled: Promise<never>,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), stalled]);
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      pieces.push(next.value as Uint8Array<ArrayBuffer>);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  return pieces.length === 0 ? new Uint8Array(0) : joinBytes(pieces);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `request body is larger than ${maxBytes} bytes`);
}
