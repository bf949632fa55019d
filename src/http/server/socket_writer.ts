/**
 * Writing to a Bun socket, whose `write` is unbuffered: it takes what the kernel accepts and returns the
 * count. The rest is kept here and sent on `drain`; the caller awaits that, which is how a slow reader
 * slows the response body's producer.
 */
import type { ByteSink } from "./response.ts";
import { concatBytes } from "../../wire/bytes_text.ts";

/**
 * A {@linkcode ByteSink} over one socket.
 *
 * @example
 * ```ts
 * const out = new SocketWriter(socket);
 * await out.write(bytes); // resolves at once unless the socket pushed back
 * ```
 */
export class SocketWriter implements ByteSink {
  readonly #socket: { write(bytes: Uint8Array): number };
  #unsent: Uint8Array | null = null;
  #waiter: { resolve: () => void; reject: (error: Error) => void; promise: Promise<void> } | null = null;
  #failed: Error | null = null;

  /** Writes go to `socket`; its `drain` handler must call {@linkcode SocketWriter.drain}. */
  constructor(socket: { write(bytes: Uint8Array): number }) {
    this.#socket = socket;
  }

  /** {@inheritDoc ByteSink.write} */
  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    // Bytes queued behind a partial write (a 100 Continue, a refusal) must keep their order.
    if (this.#unsent !== null) {
      this.#unsent = concatBytes(this.#unsent, bytes);
      return this.#waiter!.promise;
    }
    const n = this.#socket.write(bytes);
    if (n === bytes.length) return undefined;
    if (n < 0) return Promise.reject(new Error("connection closed by peer"));
    this.#unsent = bytes.subarray(n);
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const promise = new Promise<void>((resolve, reject) => settle = { resolve, reject });
    // A write nobody awaits (100 Continue) must not surface as an unhandled rejection when the peer leaves.
    promise.catch(() => {});
    this.#waiter = { ...settle, promise };
    return promise;
  }

  /** Sends queued bytes; returns how many are still queued, or -1 when the socket is closed. */
  drain(): number {
    if (this.#unsent === null) return 0;
    const n = this.#socket.write(this.#unsent);
    if (n < 0) return -1;
    if (n < this.#unsent.length) {
      this.#unsent = this.#unsent.subarray(n);
      return this.#unsent.length;
    }
    this.#unsent = null;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve();
    return 0;
  }

  /** The socket closed: the pending write and every later one reject with `error`. */
  fail(error: Error): void {
    this.#failed = error;
    this.#unsent = null;
    this.#waiter?.reject(error);
    this.#waiter = null;
  }
}
