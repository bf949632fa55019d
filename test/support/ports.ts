/**
 * Free loopback ports and readiness checks. Tests never use fixed ports (9090, 9100, 8080 may be taken by
 * services a package installation started), only ports the OS hands out.
 * @module
 */
import { createConnection, createServer } from "node:net";
import { GiveUp, waitFor } from "./wait.ts";

/**
 * Asks the OS for a free port on 127.0.0.1 by binding port 0 and releasing it. Another process could take
 * it in between; for a test machine that race is rare enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(
        () => (port > 0 ? resolve(port) : reject(new Error("The OS did not report a bound port"))),
      );
    });
  });
}

/** True when a TCP connection to 127.0.0.1:`port` is accepted. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Options for {@link waitForPort}. */
export interface WaitForPortOptions {
  readonly timeoutMs?: number;
  /** What listens there, for the error message. */
  readonly what?: string;
  /** Stop waiting early when this returns a reason (the process exited, say). */
  readonly abortReason?: () => string | undefined;
  /** Extra text for the timeout message. */
  readonly details?: () => string;
}

/** Waits until 127.0.0.1:`port` accepts connections; throws with `details()` on timeout or abort. */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const what = options.what ?? "a listener";
  await waitFor(async () => {
    const reason = options.abortReason?.();
    if (reason !== undefined) throw new GiveUp(reason);
    return await acceptsConnections(port);
  }, {
    timeoutMs: options.timeoutMs ?? 15_000,
    intervalMs: 50,
    what: `${what} to accept connections on 127.0.0.1:${port}`,
    details: options.details,
  });
}
