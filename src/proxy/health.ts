/**
 * `/-/healthy` and `/-/ready`, as Prometheus has them, for load balancers and service managers: healthy
 * while the process serves at all, ready while it takes polls and scrapes (not once shutdown began).
 */

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/** `/-/healthy`: 200 whenever the proxy can answer. */
export function healthy(): Response {
  return new Response("PushProx proxy is Healthy.\n", { headers: TEXT });
}

/** `/-/ready`: 200 while polls and scrapes are taken, 503 once the proxy is shutting down. */
export function ready(shuttingDown: boolean): Response {
  return shuttingDown
    ? new Response("PushProx proxy is shutting down.\n", {
      status: 503,
      statusText: "shutting down",
      headers: TEXT,
    })
    : new Response("PushProx proxy is Ready.\n", { headers: TEXT });
}
