/**
 * The one thing our raw HTTP client (client.ts) needs from a runtime: a connected byte stream with
 * pull-style reads. Deno's Conn has this shape already (src/runtime/deno/dial.ts); Bun's push-style sockets
 * are adapted to it (src/runtime/bun/dial.ts). Everything above it, HTTP framing included, is shared.
 */

/** A connected TCP or TLS stream. */
export interface ByteConn {
  /** Reads into `into`; resolves with the number of bytes read, or null at the end of the stream. */
  read(into: Uint8Array): Promise<number | null>;
  /**
   * Optional: reads without a copy, handing over up to `max` bytes the connection will not touch again.
   * Bun's sockets have it; the raw client uses it for large bodies of a bounded declared size.
   */
  readOwned?(max: number): Promise<Uint8Array | null>;
  /** Writes some of `bytes` (at least one unless it rejects); resolves with how many were taken. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes at once; pending reads and writes end. Safe to call twice. */
  close(): void;
}

/**
 * Opens a connection to `url`'s host and port (TLS for https:). An abort of `signal` while connecting
 * either rejects or is noticed by the caller right after; connections are never left open by it.
 */
export type Dial = (url: URL, signal: AbortSignal) => Promise<ByteConn>;

/** The port a URL names, or its scheme's default; its hostname without IPv6 brackets. */
export function dialAddress(url: URL): { hostname: string; port: number } {
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
  };
}

/**
 * Dials, but rejects the moment `signal` aborts even when the dialer ignores it (Deno's `connectTls`
 * does), closing a connection that arrives afterwards. With this every stage of an exchange ends at once
 * on abort, so callers need no guard of their own; dials are rare next to reused connections.
 *
 * @example
 * ```ts
 * const conn = await dialUntilAborted(bunDialer(bunConnect), url, request.signal);
 * ```
 */
export function dialUntilAborted(dial: Dial, url: URL, signal: AbortSignal): Promise<ByteConn> {
  const dialing = dial(url, signal);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    dialing.then(
      (conn) => {
        signal.removeEventListener("abort", onAbort);
        if (!signal.aborted) return resolve(conn);
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
