/**
 * Pushes in a cluster: behind a load balancer, a client's push can reach another proxy than the one whose
 * poll gave it the scrape (a client polls again at once, so its push often leaves on a fresh connection).
 * The proxy that gets such a push reads just the pushed head to learn the scrape's Id, and hands the push,
 * bytes untouched, to the proxy that issued that Id. A single proxy never takes this path.
 * @module
 */
import { latin1Decode } from "../wire/bytes_text.ts";
import { HttpError } from "./http_error.ts";

/** Where pushes for scrapes this proxy did not issue go (the cluster). */
export interface PushFallback {
  /** Headers that mark a push as already forwarded: it is never forwarded again. */
  readonly hopHeader: string;
  /** The advertise URL of the proxy that issued `id`, or null when it is this one or unknown. */
  issuerOf(id: string): Promise<string | null>;
  /** Sends the push (headers and the whole body) to `issuer` and resolves with its answer. */
  forward(request: Request, body: ReadableStream<Uint8Array>, issuer: string): Promise<Response>;
}

const BLANK_LINE = /\r\n\r\n/;

/**
 * Reads the start of `body` until the pushed head has arrived (or `maxHeadBytes` did without one) and
 * returns the head's Id, if any, and a stream of the whole body again, the bytes read included.
 */
export async function peekPushId(
  body: ReadableStream<Uint8Array>,
  maxHeadBytes: number,
): Promise<{ id: string | null; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const seen: Uint8Array[] = [];
  let size = 0;
  let text = "";
  let ended = false;
  while (size <= maxHeadBytes) {
    const next = await reader.read();
    if (next.done) {
      ended = true;
      break;
    }
    seen.push(next.value);
    size += next.value.length;
    text += latin1Decode(next.value);
    if (BLANK_LINE.test(text)) break;
  }
  const head = text.split("\r\n\r\n", 1)[0]!;
  const id = /(?:^|\r\n)id:[ \t]*([^\r\n]*?)[ \t]*(?:\r\n|$)/i.exec(head)?.[1] ?? null;
  const prefix = seen.length === 1 ? seen[0]! : joinBytes(seen, size);
  let sentPrefix = false;
  const replay = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentPrefix) {
        sentPrefix = true;
        if (prefix.length > 0) return controller.enqueue(prefix);
      }
      if (ended) return controller.close();
      try {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return { id, body: replay };
}

/**
 * In a cluster: forwards `request` to the proxy that issued its scrape when that is another one, or
 * returns a request with the same head and body for this proxy to handle.
 */
export async function routePush(
  request: Request,
  isLocal: (id: string) => boolean,
  fallback: PushFallback,
  maxHeadBytes: number,
): Promise<Response | Request> {
  if (request.body === null || request.headers.has(fallback.hopHeader)) return request;
  const { id, body } = await peekPushId(request.body, maxHeadBytes);
  const issuer = id === null || isLocal(id) ? null : await fallback.issuerOf(id);
  if (issuer === null) {
    return new Request(
      request.url,
      { method: request.method, headers: request.headers, body, duplex: "half" } as RequestInit,
    );
  }
  try {
    return await fallback.forward(request, body, issuer);
  } catch (error) {
    body.cancel().catch(() => {});
    throw new HttpError(
      502,
      `push for scrape ${id} could not be handed to proxy ${issuer}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function joinBytes(pieces: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
