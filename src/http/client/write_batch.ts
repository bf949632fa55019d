/**
 * Gathers the small writes of one HTTP message (head, chunk-size lines, a small body) into one socket
 * write. Every write to a loopback or LAN socket is a syscall and usually a TCP segment that wakes the
 * peer; a 1 KiB push written as head, scrape head and body cost three of each, on both sides. Small pieces
 * wait until the current task ends (the macrotask, so that pieces a stream hands over through promise hops
 * still join) or until the batch is full; large pieces go out directly, after whatever was batched.
 */
import { setImmediate } from "node:timers";
import type { ByteConn } from "./byte_conn.ts";

/** Batched bytes are flushed once they reach this size; pieces this big or bigger are written directly. */
export const BATCH_BYTES = 16 * 1024;

/**
 * One message's writer over `conn`.
 *
 * @example
 * ```ts
 * const out = new WriteBatch(conn);
 * await out.write(head); // queued, resolves at once
 * await out.write(body); // joins the head if small
 * await out.flush(); // everything written (or the write error)
 * ```
 */
export class WriteBatch {
  readonly #conn: ByteConn;
  readonly #defer: (flush: () => void) => void;
  #batch: Uint8Array | null = null;
  #size = 0;
  #scheduled = false;
  /** The write in progress, if any; later writes go after it. */
  #writing: Promise<void> = Promise.resolve();
  #error: unknown = null;

  /** `defer` runs the automatic flush after the current task (setImmediate unless a test injects one). */
  constructor(conn: ByteConn, defer: (flush: () => void) => void = setImmediate) {
    this.#conn = conn;
    this.#defer = defer;
  }

  /**
   * Queues `bytes`. Small pieces are copied into the batch, so the caller may reuse `bytes` at once, and
   * the returned promise resolves at once; large ones resolve once written.
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (bytes.length === 0) return Promise.resolve();
    if (bytes.length >= BATCH_BYTES || this.#size + bytes.length > BATCH_BYTES) {
      this.#startFlush();
      return this.#enqueue(bytes);
    }
    this.#reserve(this.#size + bytes.length);
    this.#batch!.set(bytes, this.#size);
    this.#size += bytes.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#defer(() => {
        this.#scheduled = false;
        this.#startFlush();
      });
    }
    return Promise.resolve();
  }

  /** Writes whatever is batched; resolves once everything written so far is out, or rejects with the error. */
  async flush(): Promise<void> {
    this.#startFlush();
    await this.#writing;
    if (this.#error !== null) throw this.#error;
  }

  /** Room for `bytes` batched bytes: most messages are a few hundred bytes, so start small and double. */
  #reserve(bytes: number): void {
    const capacity = this.#batch?.length ?? 0;
    if (bytes <= capacity) return;
    const grown = new Uint8Array(Math.min(BATCH_BYTES, Math.max(bytes, capacity * 2, 1024)));
    if (this.#batch !== null) grown.set(this.#batch.subarray(0, this.#size));
    this.#batch = grown;
  }

  #startFlush(): void {
    if (this.#size === 0) return;
    const bytes = this.#batch!.slice(0, this.#size);
    this.#size = 0;
    void this.#enqueue(bytes).catch(() => {}); // the error is kept and thrown by the next write or flush
  }

  #enqueue(bytes: Uint8Array): Promise<void> {
    const writing = this.#writing.then(async () => {
      if (this.#error !== null) throw this.#error;
      try {
        for (let offset = 0; offset < bytes.length;) offset += await this.#conn.write(bytes.subarray(offset));
      } catch (error) {
        this.#error ??= error;
        throw error;
      }
    });
    this.#writing = writing.catch(() => {});
    return writing;
  }
}
