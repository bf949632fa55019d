/**
 * Reads HTTP messages one by one from bytes that arrive over time (a raw socket), so a test can hold a
 * connection open, read a long-poll answer when it comes, and write the next request on the same
 * connection, as upstream's Go client does.
 * @module
 */
import type { Socket } from "node:net";
import { concatBytes, type HttpMessage, type MessageKind, tryParseMessage } from "./http_message.ts";
import { withTimeout } from "./wait.ts";

/**
 * Buffers incoming bytes and hands out whole messages.
 *
 * @example
 * ```ts
 * const reader = new HttpReader();
 * reader.push(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"));
 * const message = await reader.read("response");
 * ```
 */
export class HttpReader {
  #buffer: Uint8Array = new Uint8Array(0);
  #ended = false;
  #waiters: Array<() => void> = [];

  /** Adds bytes that arrived. */
  push(chunk: Uint8Array): void {
    this.#buffer = concatBytes([this.#buffer, chunk]);
    this.#notify();
  }

  /** Marks the end of the stream: no more bytes will come. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** True once the stream has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes received but not yet returned as a message. */
  get pending(): Uint8Array {
    return this.#buffer;
  }

  /**
   * The next whole message. Rejects with SyntaxError when the stream ends without one (or inside one), and
   * with a timeout error after `timeoutMs`.
   */
  async read(kind: MessageKind, timeoutMs = 10_000): Promise<HttpMessage> {
    // A read that timed out must not swallow a message that arrives later for the next read.
    const state = { abandoned: false };
    try {
      return await withTimeout(
        this.#read(kind, state),
        timeoutMs,
        `an HTTP ${kind} (${this.#buffer.length} bytes so far)`,
      );
    } catch (error) {
      state.abandoned = true;
      throw error;
    }
  }

  async #read(kind: MessageKind, state: { abandoned: boolean }): Promise<HttpMessage> {
    for (;;) {
      if (state.abandoned) throw new Error("abandoned");
      const parsed = tryParseMessage(this.#buffer, kind, this.#ended);
      if (parsed !== null) {
        this.#buffer = this.#buffer.slice(parsed.consumed);
        return parsed.message;
      }
      if (this.#ended) throw new SyntaxError(`The connection ended before an HTTP ${kind} arrived`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once the stream has ended (the peer closed), or rejects after `timeoutMs`. */
  async waitForEnd(timeoutMs: number): Promise<void> {
    await withTimeout(
      (async () => {
        while (!this.#ended) await new Promise<void>((resolve) => this.#waiters.push(resolve));
      })(),
      timeoutMs,
      "the peer to close the connection",
    );
  }

  #notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** Feeds a socket's bytes (and its end or error) into a new {@link HttpReader}. */
export function readerFor(socket: Socket): HttpReader {
  const reader = new HttpReader();
  socket.on("data", (chunk: Uint8Array) => reader.push(new Uint8Array(chunk)));
  socket.on("end", () => reader.end());
  socket.on("close", () => reader.end());
  // A reset connection ends the stream; the reader reports what is missing.
  socket.on("error", () => reader.end());
  return reader;
}
