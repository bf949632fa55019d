/**
 * Reads a small request body whole, refusing more than `maxBytes` and giving up on a sender that stalls.
 * Used for poll bodies (an FQDN): nothing legitimate there is larger than a few hundred bytes.
 */
import { HttpError } from "./http_error.ts";
import type { Clock } from "../time/clock.ts";

export async function readSmallBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  stallMs: number,
  timers: Clock,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const pieces: Uint8Array[] = [];
  let size = 0;
  let timer: unknown;
  const stalled = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(
      () => reject(new HttpError(408, `request body did not arrive within ${stallMs / 1000}s`)),
      stallMs,
    );
  });
  stalled.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), stalled]);
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) throw new HttpError(413, `request body is larger than ${maxBytes} bytes`);
      pieces.push(next.value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    timers.clearTimeout(timer);
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const piece of pieces) {
    whole.set(piece, offset);
    offset += piece.byteLength;
  }
  return whole;
}
