/**
 * Upstream's wire captures (see README.txt beside them): exact bytes read from disk, parsed with the
 * test codec, and rewritten (scrape id, target port) with framing fixed up so lengths stay right.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type HttpMessage, type MessageKind, parseMessage, reframe, replaceBytes } from "./http_message.ts";
import { UPSTREAM_FIXTURES } from "./paths.ts";

/** The exact bytes of one capture file, e.g. `fixtureBytes("02-curl-scrape-plain", "6-push-request.client-to-proxy.http")`. */
export function fixtureBytes(scenario: string, file: string): Uint8Array {
  const path = join(UPSTREAM_FIXTURES, scenario, file);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new Error(
      `Cannot read upstream fixture ${path}: the captures live in test/fixtures/pushprox-go-v0.2.0/`,
      {
        cause: error,
      },
    );
  }
}

/** One capture file parsed as a request or a response. */
export function fixtureMessage(scenario: string, file: string, kind: MessageKind): HttpMessage {
  return parseMessage(fixtureBytes(scenario, file), kind);
}

/**
 * A captured message whose body has `from` replaced by `to` everywhere (a scrape id, a `host:port`), with
 * Content-Length or the chunk size adjusted when the length changes.
 */
export function rewriteBody(message: HttpMessage, from: string, to: string): Uint8Array {
  return reframe(message, replaceBytes(message.body, from, to));
}
