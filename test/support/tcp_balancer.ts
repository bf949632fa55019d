/**
 * A round-robin TCP load balancer on a free loopback port, in the test process: what operators put in
 * front of a cluster of proxies (haproxy, an NLB). Each new connection goes to the next backend; a backend
 * that refuses the connection is skipped, as a balancer with health checks would, so a killed proxy's
 * clients reconnect to the others and a restarted one gets connections again.
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { ProcessSet } from "./process.ts";

/** A running balancer. */
export interface TcpBalancer {
  readonly port: number;
  /** `http://127.0.0.1:<port>/`, what clients get as `--proxy-url`. */
  readonly url: string;
  /** Connections handed to each backend port so far. */
  readonly handed: ReadonlyMap<number, number>;
}

/** Starts a balancer over `backends` (127.0.0.1 ports) that `procs.cleanup()` closes. */
export async function startTcpBalancer(procs: ProcessSet, backends: readonly number[]): Promise<TcpBalancer> {
  const sockets = new Set<Socket>();
  const handed = new Map<number, number>();
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  /** Connects to the next backend that accepts, trying each once. */
  const connect = (client: Socket, tries: number): void => {
    if (tries === backends.length || client.destroyed) {
      client.destroy();
      return;
    }
    const port = backends[next++ % backends.length]!;
    const upstream = createConnection({ host: "127.0.0.1", port });
    let connected = false;
    upstream.on("error", () => {
      upstream.destroy();
      if (connected) client.destroy();
      else connect(client, tries + 1);
    });
    upstream.once("connect", () => {
      connected = true;
      handed.set(port, (handed.get(port) ?? 0) + 1);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.resume();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    connect(client, 0);
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
  const port = (server.address() as { port: number }).port;
  return { port, url: `http://127.0.0.1:${port}/`, handed };
}
