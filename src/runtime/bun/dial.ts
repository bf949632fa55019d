/**
 * The Bun side of the raw HTTP client: `Bun.connect` sockets, which push bytes at a handler and take
 * writes without buffering, adapted to the pull-style {@linkcode ByteConn}. Bytes that arrive before
 * anyone reads wait in a short queue; past {@linkcode PAUSE_BYTES} the socket is paused, so a consumer
 * that stops reading stops the sender (TCP backpressure) instead of filling memory.
 */
import type { ByteConn, Dial } from "../../http/client/byte_conn.ts";
import { dialAddress } from "../../http/client/byte_conn.ts";
import type { TlsClientOptions } from "../types.ts";

/** Queued unread bytes above which the socket stops reading. */
export const PAUSE_BYTES = 256 * 1024;

/** The slice of a connected Bun socket this adapter uses. */
export interface BunClientSocket {
  /** Bytes taken: fewer than given when the kernel buffer is full (wait for `drain`), -1 when closed. */
  write(bytes: Uint8Array): number;
  /** Sends FIN after queued bytes. */
  end(): void;
  /** Closes at once. */
  terminate(): void;
  pause(): void;
  resume(): void;
}

/** Handlers for one socket, as `Bun.connect` takes them. */
export interface BunClientHandlers {
  readonly binaryType: "uint8array";
  open(socket: BunClientSocket): void;
  data(socket: BunClientSocket, bytes: Uint8Array): void;
  drain(socket: BunClientSocket): void;
  end(socket: BunClientSocket): void;
  close(socket: BunClientSocket, error?: Error): void;
  error(socket: BunClientSocket, error: Error): void;
  connectError(socket: BunClientSocket, error: Error): void;
}

/** `Bun.connect`'s options as we use them. */
export interface BunConnectOptions {
  readonly hostname: string;
  readonly port: number;
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized: boolean;
    readonly serverName: string;
  };
  readonly socket: BunClientHandlers;
}

/** `Bun.connect` itself (its promise is not used: `open` and `connectError` tell the outcome). */
export type BunConnect = (options: BunConnectOptions) => Promise<unknown>;

/**
 * A Dial over `connect` (Bun.connect in production) with the given TLS settings.
 *
 * @example
 * ```ts
 * const fetchRaw = createRawHttpClient(bunDialer(Bun.connect, { ca }), { pool });
 * ```
 */
export function bunDialer(connect: BunConnect, tls: TlsClientOptions = {}): Dial {
  return (url, signal) => {
    signal.throwIfAborted();
    const { hostname, port } = dialAddress(url);
    const conn = new BunConn();
    const tlsOptions = url.protocol !== "https:" ? undefined : {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.insecureSkipVerify !== true,
      serverName: hostname,
    };
    // Bun.connect takes no signal: an abort while connecting fails the dial here, and a socket that
    // opens after that is closed at once (see `open`).
    const onAbort = () => conn.failOpen(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    conn.opened.then(
      () => signal.removeEventListener("abort", onAbort),
      () => signal.removeEventListener("abort", onAbort),
    );
    connect({ hostname, port, tls: tlsOptions, socket: conn.handlers }).catch((error) =>
      conn.failOpen(error)
    );
    return conn.opened;
  };
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A read waiting for bytes; `take` moves them out of the queue once some arrived. */
interface PendingRead<T> extends Waiter<T | null> {
  take(): T;
}

/** One socket as a ByteConn. Exported for tests that drive it with a fake socket. */
export class BunConn implements ByteConn {
  #socket: BunClientSocket | null = null;
  #opening: Waiter<ByteConn> | null;
  /** Resolves once connected (for TLS: once the handshake verified the peer). */
  readonly opened: Promise<ByteConn>;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  /** Set once the peer sent FIN (reads then drain the queue and return null). */
  #ended = false;
  #failure: Error | null = null;
  #closed = false;
  /** A pending read: `take` moves queued bytes out once there are some. */
  #reader: PendingRead<number | Uint8Array> | null = null;
  #writer: (Waiter<number> & { bytes: Uint8Array }) | null = null;

  constructor() {
    let waiter!: Waiter<ByteConn>;
    this.opened = new Promise<ByteConn>((resolve, reject) => waiter = { resolve, reject });
    this.#opening = waiter;
  }

  /** The handlers to give Bun.connect for this connection. */
  readonly handlers: BunClientHandlers = {
    binaryType: "uint8array",
    // Without a `handshake` handler Bun calls `open` for TLS only after the handshake verified the peer
    // (with rejectUnauthorized); a refused certificate ends in `error`/`close` before it.
    open: (socket) => {
      this.#socket = socket;
      if (this.#closed) return socket.terminate(); // the dial was given up (aborted) while connecting
      this.#settleOpen(null);
    },
    data: (socket, bytes) => this.#receive(socket, bytes),
    drain: () => this.#drain(),
    end: () => {
      this.#ended = true;
      this.#wakeReader();
    },
    // A close without an error after everything was read is the normal end of an until-EOF body.
    close: (_socket, error) => this.#shutdown(error ?? null),
    error: (_socket, error) => this.#shutdown(error),
    connectError: (_socket, error) => this.#settleOpen(error),
  };

  /** Bun.connect itself rejected (e.g. a bad TLS option). */
  failOpen(error: unknown): void {
    this.#settleOpen(error instanceof Error ? error : new Error(String(error)));
  }

  read(into: Uint8Array): Promise<number | null> {
    return this.#whenReadable(() => this.#copyOut(into));
  }

  /**
   * Like `read`, but hands over up to `max` received bytes themselves rather than a copy (the rest stays
   * queued). Bun allocates each received piece afresh and never touches it again, so it is the caller's.
   */
  readOwned(max: number): Promise<Uint8Array | null> {
    return this.#whenReadable(() => this.#takeOwned(max));
  }

  /** Runs `take` at once if bytes are queued, else once some arrive; null at the end of the stream. */
  #whenReadable<T extends number | Uint8Array>(take: () => T): Promise<T | null> {
    if (this.#queued > 0) return Promise.resolve(take());
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(null);
    // One slot serves both kinds of read: `take` is what tells them apart.
    return new Promise((resolve, reject) =>
      this.#reader = { resolve, reject, take } as unknown as PendingRead<number | Uint8Array>
    );
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#closed || this.#socket === null) return Promise.reject(new Error("connection closed"));
    const n = this.#socket.write(bytes);
    if (n > 0) return Promise.resolve(n);
    if (n < 0) return Promise.reject(new Error("connection closed by peer"));
    // The kernel buffer is full: try again on drain.
    return new Promise((resolve, reject) => this.#writer = { resolve, reject, bytes });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Unread bytes mean the exchange was cut short: reset rather than linger half-closed. Bytes arriving
    // after a FIN reset it too (see #receive).
    if (this.#queued > 0 || this.#paused) this.#socket?.terminate();
    else this.#socket?.end();
    this.#queue.length = 0;
    this.#queued = 0;
    this.#shutdown(new Error("connection closed"));
  }

  #settleOpen(error: Error | null): void {
    const opening = this.#opening;
    if (opening === null) return;
    this.#opening = null;
    if (error === null) return opening.resolve(this);
    this.#closed = true;
    this.#socket?.terminate();
    opening.reject(error);
  }

  #receive(socket: BunClientSocket, bytes: Uint8Array): void {
    if (this.#closed) return socket.terminate();
    this.#enqueue(bytes);
    this.#wakeReader();
  }

  #enqueue(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#queued >= PAUSE_BYTES && !this.#paused) {
      this.#paused = true;
      this.#socket?.pause();
    }
  }

  /** Copies queued bytes into `into`. */
  #copyOut(into: Uint8Array): number {
    let n = 0;
    while (n < into.length && this.#queue.length > 0) {
      const first = this.#queue[0]!;
      const count = Math.min(first.length, into.length - n);
      into.set(count === first.length ? first : first.subarray(0, count), n);
      n += count;
      if (count === first.length) this.#queue.shift();
      else this.#queue[0] = first.subarray(count);
    }
    this.#dequeued(n);
    return n;
  }

  /** The first queued piece, or its first `max` bytes. */
  #takeOwned(max: number): Uint8Array {
    const first = this.#queue[0]!;
    let piece = first;
    if (first.length > max) {
      piece = first.subarray(0, max);
      this.#queue[0] = first.subarray(max);
    } else {
      this.#queue.shift();
    }
    this.#dequeued(piece.length);
    return piece;
  }

  /** Resumes the socket once the queue is short again. */
  #dequeued(n: number): void {
    this.#queued -= n;
    if (this.#paused && this.#queued < PAUSE_BYTES / 2) {
      this.#paused = false;
      this.#socket?.resume();
    }
  }

  #wakeReader(): void {
    const reader = this.#reader;
    if (reader === null) return;
    if (this.#queued > 0) {
      this.#reader = null;
      reader.resolve(reader.take());
    } else if (this.#ended) {
      this.#reader = null;
      reader.resolve(null);
    }
  }

  #drain(): void {
    const writer = this.#writer;
    if (writer === null || this.#socket === null) return;
    const n = this.#socket.write(writer.bytes);
    if (n === 0) return;
    this.#writer = null;
    if (n < 0) writer.reject(new Error("connection closed by peer"));
    else writer.resolve(n);
  }

  /** The socket ended: `error` null for a clean close. Queued bytes stay readable after a clean one. */
  #shutdown(error: Error | null): void {
    this.#settleOpen(error ?? new Error("connection closed before it was established"));
    if (error !== null && this.#failure === null) this.#failure = error;
    this.#ended = true;
    const reader = this.#reader;
    if (reader !== null && this.#queued === 0) {
      this.#reader = null;
      if (this.#failure !== null) reader.reject(this.#failure);
      else reader.resolve(null);
    }
    const writer = this.#writer;
    this.#writer = null;
    writer?.reject(this.#failure ?? new Error("connection closed by peer"));
  }
}
