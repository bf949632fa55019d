/**
 * A client played by hand over a raw socket: one poll, and the scrape it is handed. Tests use it to push
 * answers of their own making (broken, oversized, hostile) for a real scrape id.
 * @module
 */
import assert from "node:assert/strict";
import { bodyText, headerValue, type HttpMessage, parseMessage } from "./http_message.ts";
import { listedClients, type ProxyHandle } from "./pushprox.ts";
import { connectRaw } from "./raw_http.ts";
import { waitFor } from "./wait.ts";

/** `POST /poll` for `fqdn`, as upstream's client sends it. */
export function pollRequest(fqdn: string): string {
  return `POST /poll HTTP/1.1\r\nHost: proxy\r\nContent-Length: ${fqdn.length}\r\n\r\n${fqdn}`;
}

/**
 * Polls `proxy` as `fqdn`, sends a scrape for it with `scrape`, and returns the scrape's id as the poll's
 * answer carried it, with the scraper's answer still pending.
 */
export async function scrapeInFlight(
  proxy: ProxyHandle,
  fqdn: string,
  scrape: (url: string) => Promise<HttpMessage>,
): Promise<{ id: string; answer: Promise<HttpMessage> }> {
  const poller = await connectRaw(proxy.port);
  try {
    await poller.write(pollRequest(fqdn));
    await waitFor(async () => (await listedClients(proxy.url)).includes(fqdn), {
      timeoutMs: 5000,
      what: `the raw poller for ${fqdn} in /clients`,
    });
    const answer = scrape(`http://${fqdn}:9100/metrics`);
    answer.catch(() => {});
    const polled = await poller.read("response", 5000);
    const id = headerValue(parseMessage(polled.body, "request"), "Id");
    assert.ok(id !== undefined, `the poll answer has no Id header:\n${bodyText(polled)}`);
    return { id, answer };
  } finally {
    poller.close();
  }
}
