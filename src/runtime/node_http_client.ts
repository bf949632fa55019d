/**
 * A raw HTTP(S) client over `node:http`, which both runtimes implement. We avoid `fetch` on purpose: it
 * silently gunzips responses while keeping `Content-Encoding: gzip` (runtime-facts.md), which would corrupt
 * every relayed node-exporter scrape; Deno's fetch also has no way to turn that off. Bodies stream both ways.
 */
import http from "node:http";
import https from "node:https";
import type { RawFetch, TlsClientOptions } from "./types.ts";
import { nodeReadableToWeb, writeWebBodyToNode } from "./node_streams.ts";

/** Statuses whose responses never carry a body: the Response constructor rejects one. */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** Creates a RawFetch with its own keep-alive connection pools (one per scheme). */
export function createNodeHttpClient(tls: TlsClientOptions = {}): RawFetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({
      keepAlive: true,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: !tls.insecureSkipVerify,
    }),
  };

  return (request) =>
    new Promise<Response>((resolve, reject) => {
      if (request.signal.aborted) {
        reject(request.signal.reason);
        return;
      }
      const url = new URL(request.url);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        reject(new TypeError(`unsupported URL scheme "${url.protocol}" in ${request.url}`));
        return;
      }
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const transport = url.protocol === "https:" ? https : http;
      const outgoing = transport.request(url, {
        method: request.method,
        headers,
        agent: agents[url.protocol],
        signal: request.signal,
      });
      // Deno's node:http ignores `signal` (and even destroy()) while a request on a reused keep-alive socket
      // awaits its head: the promise settled only when the server answered. So an abort settles it here, and
      // a response that still arrives is thrown away with its socket.
      const signal = request.signal;
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        reject(signal.reason);
        outgoing.destroy();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      outgoing.once("close", () => signal.removeEventListener("abort", onAbort));
      outgoing.once("error", reject);
      outgoing.once("response", (incoming) => {
        if (aborted) {
          incoming.destroy();
          return;
        }
        const status = incoming.statusCode ?? 502;
        const responseHeaders = new Headers();
        const raw = incoming.rawHeaders;
        try {
          for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i], raw[i + 1]);
          const body = NULL_BODY_STATUS.has(status) || request.method === "HEAD"
            ? null
            : nodeReadableToWeb(incoming);
          if (body === null) incoming.resume();
          resolve(
            new Response(body, { status, statusText: incoming.statusMessage, headers: responseHeaders }),
          );
        } catch (error) {
          incoming.destroy();
          reject(
            new TypeError(`invalid response from ${url.origin}: ${(error as Error).message}`, {
              cause: error,
            }),
          );
        }
      });
      if (request.body === null) {
        outgoing.end();
      } else {
        writeWebBodyToNode(request.body, outgoing).catch(reject);
      }
    });
}
