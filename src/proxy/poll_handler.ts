/**
 * `POST /poll`: a client waits for a scrape. The body is the client's FQDN (upstream trims whitespace, so do
 * we). Clients that send `PushProx-Accept-Idle: 1` get `204 No Content` after the idle timeout and poll again
 * at once, so no load balancer ever sees a connection idle for long; other clients (upstream's Go client,
 * which would read a 204 as an error) are held until work arrives, as upstream does. Our clients also
 * announce their version (User-Agent) and `--label`s (`PushProx-Labels`) in headers upstream ignores.
 *
 * At shutdown, waiting polls are answered 204 with `Connection: close`: our client polls again at once on a
 * new connection (which a load balancer sends to another proxy), Go's client after its retry wait; a
 * closed connection or an error status would cost ours a retry wait too. Polls that arrive after that
 * get 503, also closing the connection.
 */
import type { Coordinator } from "./coordinator.ts";
import type { Announcement } from "./client_stats.ts";
import { LABELS_HEADER } from "../wire/client_labels.ts";
import { parsePolledFqdn } from "./fqdn.ts";
import { readSmallBody } from "./read_body.ts";
import type { Clock } from "../time/clock.ts";
import { AccessDenied, ANYONE, type ClientPrincipal } from "./auth/access.ts";

export const ACCEPT_IDLE_HEADER = "PushProx-Accept-Idle";
const MAX_POLL_BODY_BYTES = 1024;
const POLL_BODY_STALL_MS = 10_000;

export interface PollSettings {
  /** 0 disables idle answers. */
  readonly idleTimeoutMs: number;
  readonly timers: Clock;
}

/**
 * Answers one poll: 200 with a serialized scrape, or 204 (idle timeout, or the poller left after being chosen).
 * Rejects with HttpError for a body that is not an FQDN, too large, or too slow to arrive.
 */
export function handlePoll(
  request: Request,
  coordinator: Coordinator,
  settings: PollSettings,
  principal: ClientPrincipal = ANYONE,
): Promise<Response> {
  if (coordinator.draining) return Promise.resolve(shuttingDown());
  const acceptsIdle = request.headers.get(ACCEPT_IDLE_HEADER) === "1" && settings.idleTimeoutMs > 0;
  // Our extension: the client's version and labels, for /clients and the status page. A labels header
  // that breaks the rules gets the poll refused with 400 naming the label (see Coordinator.poll).
  const announcement: Announcement = {
    labels: request.headers.get(LABELS_HEADER),
    userAgent: request.headers.get("user-agent"),
  };
  const fqdn = readSmallBody(request, MAX_POLL_BODY_BYTES, POLL_BODY_STALL_MS, settings.timers)
    .then((body) => {
      const name = parsePolledFqdn(new TextDecoder().decode(body));
      if (!principal.mayRegister(name)) {
        throw new AccessDenied(403, `${principal.label} may not register "${name}"`, principal.label);
      }
      return name;
    });
  // The Request stays out of the frame that waits (JavaScriptCore keeps an async function's arguments for
  // as long as it is suspended): its headers and spent body stream would otherwise live as long as the poll.
  const idleTimeoutMs = acceptsIdle ? settings.idleTimeoutMs : null;
  return waitForWork(fqdn, request.signal, idleTimeoutMs, announcement, coordinator, principal.id);
}

async function waitForWork(
  fqdn: Promise<string>,
  signal: AbortSignal,
  idleTimeoutMs: number | null,
  announcement: Announcement | null,
  coordinator: Coordinator,
  principal: string,
): Promise<Response> {
  const polled = coordinator.poll(await fqdn, {
    idleTimeoutMs,
    signal,
    announcement: announcement!,
    principal,
  });
  // The coordinator has read the announcement; the frame that waits need not keep it for the whole poll.
  announcement = null;
  const scrape = await polled;
  if (scrape === null) {
    return new Response(null, { status: 204, headers: coordinator.draining ? CLOSE : undefined });
  }
  if (signal.aborted) {
    // The poller left between being chosen and being answered: the scrape goes to the next poll instead.
    coordinator.requeue(scrape);
    return new Response(null, { status: 204 });
  }
  return new Response(scrape.payload as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(scrape.payload.byteLength),
    },
  });
}

const CLOSE = { connection: "close" };

function shuttingDown(): Response {
  return new Response("the proxy is shutting down: poll again, another proxy may answer\n", {
    status: 503,
    statusText: "proxy shutting down",
    headers: { ...CLOSE, "content-type": "text/plain; charset=utf-8" },
  });
}
