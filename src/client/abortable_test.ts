import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { abortable } from "./abortable.ts";

/** An exchange the test settles by hand, like a client that ignores the abort signal. */
function manual() {
  let resolve: (response: Response) => void = () => {};
  const promise = new Promise<Response>((r) => (resolve = r));
  return { promise, resolve };
}

describe("abortable()", () => {
  it("abortable() passes a response through when no abort comes", async () => {
    const exchange = manual();
    const result = abortable(exchange.promise, new AbortController().signal);
    exchange.resolve(new Response("up 1\n"));
    assert.equal(await (await result).text(), "up 1\n");
  });

  it("abortable() rejects at the abort even when the exchange ignores it", async () => {
    const exchange = manual();
    const stop = new AbortController();
    const result = abortable(exchange.promise, stop.signal);
    stop.abort(new DOMException("scrape budget spent", "TimeoutError"));
    await assert.rejects(result, { name: "TimeoutError" });
  });

  it("abortable() cancels the body of a response that arrives after the abort", async () => {
    const exchange = manual();
    const stop = new AbortController();
    const result = abortable(exchange.promise, stop.signal);
    stop.abort();
    await assert.rejects(result);
    let cancelled = false;
    const body = new ReadableStream({ cancel: () => void (cancelled = true) });
    exchange.resolve(new Response(body));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(cancelled, true);
  });

  it("abortable() passes an exchange's own error through", async () => {
    const failing = Promise.reject(new TypeError("connection refused"));
    await assert.rejects(abortable(failing, new AbortController().signal), /connection refused/);
  });
});
