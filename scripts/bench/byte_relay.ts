/**
 * A TCP relay that counts the bytes going each way: placed between a client and the proxy, it shows what
 * a scrape costs on the client's link (the one that crosses a NAT or a metered network).
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** Bytes relayed so far. */
export interface RelayCounts {
  /** From the connecting side (the client) to the upstream side (the proxy). */
  readonly up: number;
  /** From the proxy back to the client. */
  readonly down: number;
}

/**
 * A running relay from 127.0.0.1:`port` to 127.0.0.1:`targetPort`.
 *
 * @example
 * ```ts
 * const relay = await ByteRelay.start(proxyPort);
 * // point the client at http://127.0.0.1:${relay.port}/
 * relay.counts(); // { up: 1234, down: 567 }
 * await relay.close();
 * ```
 */
export class ByteRelay {
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #up = 0;
  #down = 0;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Starts a relay to 127.0.0.1:`targetPort` on a free loopback port. */
  static start(targetPort: number): Promise<ByteRelay> {
    return new Promise((resolve, reject) => {
      let relay: ByteRelay | undefined;
      const server = createServer((inbound) => {
        if (relay !== undefined) relay.#pipe(inbound, targetPort);
        else inbound.destroy();
      });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        relay = new ByteRelay(server, (server.address() as AddressInfo).port);
        resolve(relay);
      });
    });
  }

  /** Bytes relayed each way since the relay started. */
  counts(): RelayCounts {
    return { up: this.#up, down: this.#down };
  }

  /** Stops listening and cuts every relayed connection. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #pipe(inbound: Socket, targetPort: number): void {
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort, noDelay: true });
    inbound.setNoDelay(true);
    for (const socket of [inbound, outbound]) {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on("data", (chunk: Uint8Array) => {
      this.#up += chunk.length;
      outbound.write(chunk);
    });
    outbound.on("data", (chunk: Uint8Array) => {
      this.#down += chunk.length;
      inbound.write(chunk);
    });
    inbound.on("end", () => outbound.end());
    outbound.on("end", () => inbound.end());
  }
}
