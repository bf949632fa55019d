/**
 * Idle-connection timers for node:http where the runtime does not enforce its own (Deno).
 * @module
 */
import type http from "node:http";
import type { Socket } from "node:net";

/**
 * Deno's node:http accepts `headersTimeout` and `keepAliveTimeout` but does not enforce them (measured: a
 * half-sent head stayed open indefinitely), so we enforce both ourselves: a connection must deliver a head
 * within `headersTimeoutMs` of opening, and within the keep-alive time of its previous response. While a
 * request is being handled (a long poll for minutes) nothing is armed. Bun enforces the server options itself,
 * so it is spared a timer per request.
 */
export function guardIdleSockets(
  server: http.Server,
  // With TLS, requests carry the TLS socket, which "secureConnection" hands out ("connection" gives the TCP one).
  connectionEvent: "connection" | "secureConnection",
  headersTimeoutMs: number,
  keepAliveMs: number,
): void {
  const timers = new Map<Socket, ReturnType<typeof setTimeout>>();
  const arm = (socket: Socket, ms: number) => {
    clearTimeout(timers.get(socket));
    timers.set(socket, setTimeout(() => socket.destroy(), ms));
  };
  const disarm = (socket: Socket) => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  };
  server.on(connectionEvent, (socket: Socket) => {
    arm(socket, headersTimeoutMs);
    socket.once("close", () => disarm(socket));
  });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    disarm(socket);
    res.once("finish", () => {
      if (!socket.destroyed) arm(socket, keepAliveMs);
    });
  });
}
