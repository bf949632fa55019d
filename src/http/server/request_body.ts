/**
 * The body of one request as it comes off a Bun socket, in one of two ways: gathered whole (small, with a
 * declared length) and handed over once complete, or passed on as a stream that asks for the socket to be
 * paused while its reader lags. Either way it says exactly how many of the bytes it was given were its
 * own, since the rest belong to the next request on the connection.
 */
import { ChunkedPushDecoder } from "../../wire/chunked_push_decoder.ts";
import type { RequestBodyFraming } from "./request.ts";

/** What a streamed body needs from its connection. */
export interface BodyFlow {
  /** The stream's reader lags: stop reading the socket. */
  pause(): void;
  /** The reader wants more: read the socket again. */
  resume(): void;
  /** The reader cancelled the stream: the rest of this body will never be read. */
  abandoned(): void;
}

/**
 * One request body being received.
 *
 * @example
 * ```ts
 * const body = RequestBody.whole(5);
 * body.receive(new TextEncoder().encode("hel")); // 3
 * body.receive(new TextEncoder().encode("loGET /")); // 2: "GET /" starts the next request
 * body.done; // true; body.bytes holds "hello"
 * ```
 */
export class RequestBody {
  /** The gathered bytes of a whole body; null for a streamed one. */
  readonly #whole: Uint8Array | null;
  #filled = 0;
  #stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  #remaining = 0;
  #chunked: ChunkedPushDecoder | null = null;
  #done = false;
  readonly #flow: BodyFlow | null;

  private constructor(whole: Uint8Array | null, flow: BodyFlow | null) {
    this.#whole = whole;
    this.#flow = flow;
  }

  /** A body of `length` bytes (at least 1) to gather whole. */
  static whole(length: number): RequestBody {
    return new RequestBody(new Uint8Array(length), null);
  }

  /** A body framed by `framing` ("length" or "chunked"), passed on as `stream` as it arrives. */
  static streamed(
    framing: RequestBodyFraming,
    flow: BodyFlow,
  ): { body: RequestBody; stream: ReadableStream<Uint8Array> } {
    const body = new RequestBody(null, flow);
    body.#remaining = framing.kind === "length" ? framing.length : 0;
    body.#chunked = framing.kind === "chunked" ? new ChunkedPushDecoder() : null;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => void (body.#stream = controller),
      pull: () => flow.resume(),
      cancel: () => {
        body.#stream = null;
        flow.abandoned();
      },
    }, { highWaterMark: 1 });
    return { body, stream };
  }

  /** True once the last byte of the body arrived (and a streamed body's stream was closed). */
  get done(): boolean {
    return this.#done;
  }

  /** True while a whole body is still being gathered (a stall there is the client's, answered 408). */
  get gathering(): boolean {
    return this.#whole !== null && !this.#done;
  }

  /** The gathered body; complete once `done`. */
  get bytes(): Uint8Array {
    if (this.#whole === null) throw new TypeError("a streamed body has no gathered bytes");
    return this.#whole;
  }

  /**
   * Takes bytes off the socket and answers how many of them were this body's.
   * @throws {WireError} for broken chunked framing; the stream is then errored with it too.
   */
  receive(bytes: Uint8Array): number {
    if (this.#whole !== null) {
      const used = Math.min(bytes.length, this.#whole.length - this.#filled);
      this.#whole.set(bytes.subarray(0, used), this.#filled);
      this.#filled += used;
      this.#done = this.#filled === this.#whole.length;
      return used;
    }
    if (this.#chunked !== null) {
      const decoded = this.#chunked.push(bytes);
      // What came before the break is passed on first: it may hold a pushed head, whose scrape can then fail.
      for (const piece of decoded.data) this.#enqueue(piece);
      if (decoded.error !== null) {
        this.fail(decoded.error);
        throw decoded.error;
      }
      if (decoded.done) this.#end();
      return decoded.consumed;
    }
    const used = Math.min(bytes.length, this.#remaining);
    this.#remaining -= used;
    this.#enqueue(bytes.subarray(0, used));
    if (this.#remaining === 0) this.#end();
    return used;
  }

  /** The connection broke off: a reader of the stream sees `error`. */
  fail(error: Error): void {
    try {
      this.#stream?.error(error);
    } catch {
      // Already closed or errored.
    }
    this.#stream = null;
  }

  #enqueue(piece: Uint8Array): void {
    if (this.#stream === null || piece.length === 0) return;
    this.#stream.enqueue(piece);
    if ((this.#stream.desiredSize ?? 1) <= 0) this.#flow?.pause();
  }

  #end(): void {
    this.#done = true;
    this.#chunked = null;
    this.#stream?.close();
    this.#stream = null;
  }
}
