/**
 * HTTP over a plain TCP socket, byte for byte. `fetch` cannot send an absolute-form request line
 * (`GET http://host:9100/metrics HTTP/1.1`, what Prometheus sends through `proxy_url`), cannot replay a
 * fixture's exact bytes, and hides framing; these helpers can.
 * @module
 */
import { connect, type Socket } from "node:net";
import { type HeaderLine, type HttpMessage, latin1Bytes, type MessageKind } from "./http_message.ts";
import { HttpReader, readerFor } from "./http_reader.ts";
import { withTimeout } from "./wait.ts";

/** An open connection with a reader for what comes back. */
export class RawConnection {
  readonly socket: Socket;
  readonly reader: HttpReader;

  constructor(socket: Socket) {
    this.socket = socket;
    this.reader = readerFor(socket);
  }

  /** Writes bytes (a string is sent as Latin-1) and resolves once they are handed to the OS. */
  write(bytes: Uint8Array | string): Promise<void> {
    const data = typeof bytes === "string" ? latin1Bytes(bytes) : bytes;
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve()))
    );
  }

  /** The next message from the peer. */
  read(kind: MessageKind = "response", timeoutMs = 10_000): Promise<HttpMessage> {
    return this.reader.read(kind, timeoutMs);
  }

  /** Closes the connection at once. */
  close(): void {
    this.socket.destroy();
  }
}

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function connectRaw(port: number, timeoutMs = 5000): Promise<RawConnection> {
  const socket = connect({ host: "127.0.0.1", port });
  const connected = new Promise<RawConnection>((resolve, reject) => {
    socket.once("connect", () => resolve(new RawConnection(socket)));
    socket.once(
      "error",
      (error) => reject(new Error(`Cannot connect to 127.0.0.1:${port}: ${error.message}`)),
    );
  });
  return withTimeout(connected, timeoutMs, `a connection to 127.0.0.1:${port}`).catch((error) => {
    socket.destroy();
    throw error;
  });
}

/**
 * Sends one request's exact bytes on a new connection and reads one response; the connection is closed
 * afterwards whatever happens.
 */
export async function rawExchange(
  port: number,
  request: Uint8Array | string,
  timeoutMs = 10_000,
): Promise<HttpMessage> {
  const connection = await connectRaw(port);
  try {
    await connection.write(request);
    return await connection.read("response", timeoutMs);
  } finally {
    connection.close();
  }
}

/**
 * An absolute-form GET, as Prometheus sends it to a `proxy_url`: the request line holds the target's full
 * URL and Host names the target, not the proxy. `Connection: close` lets a body without framing end.
 *
 * @example
 * ```ts
 * const response = await rawExchange(proxy.port, absoluteFormGet("http://127.0.0.1:9100/metrics", [
 *   ["X-Prometheus-Scrape-Timeout-Seconds", "5"],
 * ]));
 * ```
 */
export function absoluteFormGet(url: string, headers: readonly HeaderLine[] = []): string {
  const target = new URL(url);
  const lines = [
    `GET ${target.href} HTTP/1.1`,
    `Host: ${target.host}`,
    "User-Agent: pushprox-ts-tests",
    ...headers.map(([name, value]) => `${name}: ${value}`),
    "Connection: close",
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
