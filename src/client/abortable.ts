/**
 * Making sure an aborted exchange is over for us at once, whatever the HTTP client does. Deno's node:http
 * ignores an abort signal once a request went out on a reused keep-alive socket (measured: an abort at
 * 0.5 s of a 3 s request still resolved at 3.5 s). Without this, a slow target would eat the margin left
 * for the error push, and shutdown would wait for the proxy to answer an idle poll.
 */

/**
 * Resolves with the response of `exchange`, or rejects with `signal.reason` as soon as `signal` aborts.
 * A response that still arrives after the abort has its body cancelled, so its connection is released.
 *
 * @example
 * ```ts
 * const response = await abortable(rawFetch(request), request.signal);
 * ```
 */
export function abortable(exchange: Promise<Response>, signal: AbortSignal): Promise<Response> {
  if (signal.aborted) {
    void exchange.then((late) => late.body?.cancel().catch(() => {}), () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<Response>((resolve, reject) => {
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    exchange.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        if (aborted) void response.body?.cancel().catch(() => {});
        else resolve(response);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
