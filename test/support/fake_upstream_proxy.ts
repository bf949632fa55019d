/**
 * A stand-in for upstream's Go proxy, as seen by our client: a raw TCP server that answers the first
 * POST /poll with fixed bytes (a fixture), holds every later poll unanswered (as a proxy with no scrape
 * to hand out does), and records each POST /push, answering with upstream's exact push response.
 * @module
 */
import { createServer, type Socket } from "node:net";
import { type HttpMessage, requestTarget } from "./http_message.ts";
import { readerFor } from "./http_reader.ts";
import type { ProcessSet } from "./process.ts";
import { waitFor } from "./wait.ts";

/** Options for {@link startFakeUpstreamProxy}. */
export interface FakeUpstreamProxyOptions {
  /** Exact bytes of the answer to the first poll (a serialized scrape request inside a response). */
  readonly firstPollResponse: Uint8Array;
  /** Exact bytes of the answer to every push. */
  readonly pushResponse: Uint8Array;
}

/** A running fake proxy and what it received. */
export interface FakeUpstreamProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly polls: readonly HttpMessage[];
  readonly pushes: readonly HttpMessage[];
  /** Requests other than POST /poll and POST /push (there should be none). */
  readonly others: readonly HttpMessage[];
  /** Waits for the `count`-th push and returns it. */
  waitForPush(count?: number, timeoutMs?: number): Promise<HttpMessage>;
}

/** Starts the fake proxy; `procs.cleanup()` closes it and every connection it holds. */
export async function startFakeUpstreamProxy(
  procs: ProcessSet,
  options: FakeUpstreamProxyOptions,
): Promise<FakeUpstreamProxy> {
  const polls: HttpMessage[] = [];
  const pushes: HttpMessage[] = [];
  const others: HttpMessage[] = [];
  const sockets = new Set<Socket>();

  const serve = async (socket: Socket): Promise<void> => {
    const reader = readerFor(socket);
    for (;;) {
      const request = await reader.read("request", 24 * 3600_000);
      const [method, target] = requestTarget(request);
      const path = target.replace(/^https?:\/\/[^/]+/, "").split("?")[0];
      if (method === "POST" && path === "/poll") {
        polls.push(request);
        // Later polls are held: nothing more is read or written on this connection.
        if (polls.length > 1) return;
        socket.write(options.firstPollResponse);
      } else if (method === "POST" && path === "/push") {
        pushes.push(request);
        socket.write(options.pushResponse);
      } else {
        others.push(request);
        socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      }
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    serve(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  procs.defer(() =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    })
  );
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    polls,
    pushes,
    others,
    waitForPush: (count = 1, timeoutMs = 15_000) =>
      waitFor(() => pushes[count - 1], {
        timeoutMs,
        what: `push number ${count} at the fake upstream proxy`,
      }),
  };
}
