/**
 * Handing a push to the proxy that issued its scrape (see src/proxy/push_route.ts): the same POST to the
 * issuer's `/push`, body streamed untouched, marked with the hop header so the issuer never passes it on.
 * The issuer's answer (200 once relayed, or its error) goes back to the client as it is.
 * @module
 */
import type { RawFetch } from "../runtime/types.ts";
import { CONNECTION_HEADERS, HOP_HEADER } from "./forwarder.ts";

export interface PushForwardOptions {
  readonly fetch: RawFetch;
  /** Our advertise URL, the hop marker's value. */
  readonly self: string;
}

export async function forwardPush(
  request: Request,
  body: ReadableStream<Uint8Array>,
  issuer: string,
  options: PushForwardOptions,
): Promise<Response> {
  const headers = new Headers(request.headers);
  for (const name of CONNECTION_HEADERS) headers.delete(name);
  headers.set(HOP_HEADER, options.self);
  const response = await options.fetch(new URL("push", issuer), {
    method: "POST",
    headers,
    body,
    signal: request.signal,
  });
  const answer = new Headers(response.headers);
  for (const name of CONNECTION_HEADERS) answer.delete(name);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: answer,
  });
}
