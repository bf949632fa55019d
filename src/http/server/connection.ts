/**
 * One HTTP/1.1 connection of our server over Bun's listen(): bytes in, requests to the handler one at a time,
 * responses out. Requests are served strictly in order; bytes of a pipelined next request wait (with the
 * socket paused) until the current response is written. Timers are the socket's own (`socket.timeout`),
 * so a held long poll costs no JavaScript timer: the head must arrive within the head timeout, the next
 * request must start within the keep-alive timeout, and while the handler runs nothing is armed.
 */
import type { ConnInfo, Handler, PeerCertificate } from "../../runtime/types.ts";
import { toPeerCertificate } from "./peer_certificate.ts";
import type { BunSocket } from "./socket.ts";
import { headEnd, type IncomingHead, interpretHead } from "./request.ts";
import { writeResponse } from "./response.ts";
import { SocketWriter } from "./socket_writer.ts";
import { RequestBody } from "./request_body.ts";
import { WireError } from "../../wire/types.ts";
import { concatBytes, latin1Encode } from "../../wire/bytes_text.ts";
import { statusText } from "../../wire/status_text.ts";

/** Settings shared by all connections of one server. */
export interface ConnectionSettings {
  readonly handler: Handler;
  readonly tls: boolean;
  /** The listener asks for client certificates: requests carry the peer's (ConnInfo.peerCertificate). */
  readonly peerCertificates: boolean;
  readonly maxHeaderBytes: number;
  readonly headersTimeoutSeconds: number;
  readonly keepAliveSeconds: number;
  /** Current value for the Date header. */
  readonly date: () => string;
}

/**
 * Bodies up to this size that declare their length (polls: an FQDN; pushes of small scrapes) are read whole
 * before the handler runs: a byte body costs a fraction of a stream, in CPU and in memory per held poll.
 */
const SMALL_BODY_BYTES = 16 * 1024;
const EMPTY = new Uint8Array(0);
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

type State = "idle" | "head" | "body" | "busy" | "closed";

/** The state of one connection; Bun keeps it as `socket.data`. */
export class Connection {
  readonly #socket: BunSocket<Connection>;
  readonly #settings: ConnectionSettings;
  #state: State = "idle";
  /** Received bytes not yet parsed: a partial head, or a pipelined request. */
  #pending: Uint8Array = EMPTY;
  #scanFrom = 0;
  #aborter: AbortController | null = null;
  #keepAlive = true;
  /** The body being received: gathered whole (small, known length) or streamed (large or chunked). */
  #body: RequestBody | null = null;
  /** The head of a request whose small body is still being gathered: dispatched once it is whole. */
  #heldHead: IncomingHead | null = null;
  /** The socket's armed timer is the keep-alive one (set after a response, until a next head starts). */
  #keepAliveArmed = false;
  /** Why the request body's framing broke: a handler that fails on it gets the sender a 400, not a 500. */
  #brokenBody: Error | null = null;
  readonly #out: SocketWriter;
  /** The client certificate, read once per connection at its first request (undefined: not yet read). */
  #peer: PeerCertificate | null | undefined = undefined;

  /** Wraps an accepted socket and arms the head timeout. */
  constructor(socket: BunSocket<Connection>, settings: ConnectionSettings) {
    this.#socket = socket;
    this.#settings = settings;
    this.#out = new SocketWriter(socket);
    socket.timeout(settings.headersTimeoutSeconds);
  }

  /** Bytes from the socket. */
  receive(bytes: Uint8Array): void {
    if (this.#state === "closed") return;
    if (this.#state === "body") return this.#receiveBody(bytes);
    this.#pending = this.#pending.length === 0 ? bytes : concatBytes(this.#pending, bytes);
    if (this.#state === "busy") return this.#socket.pause();
    this.#parseHead();
  }

  /** The socket can take more bytes. */
  drain(): void {
    if (this.#out.drain() < 0) this.closed();
  }

  /** The socket closed (either side): a pending request is aborted, a pending write fails. */
  closed(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const error = new Error("connection closed by peer");
    this.#aborter?.abort(error);
    this.#aborter = null;
    this.#failBody(error);
    this.#out.fail(error);
  }

  /**
   * A timeout the socket had armed fired: a head or a small body stalled (answered 408, as node:http
   * does for a head and our node adapter for a body), or the connection sat idle (closed quietly).
   */
  timedOut(): void {
    if (this.#state === "closed") return;
    const seconds = this.#settings.headersTimeoutSeconds;
    if (this.#body?.gathering) this.#refuse(408, `request body did not arrive within ${seconds}s`);
    else if (this.#state === "head") this.#refuse(408, `request head did not arrive within ${seconds}s`);
    else this.#socket.terminate();
    this.closed();
  }

  #parseHead(): void {
    const { maxHeaderBytes } = this.#settings;
    const end = headEnd(this.#pending, this.#scanFrom);
    if (end === -1) {
      if (this.#pending.length > maxHeaderBytes) {
        return this.#refuse(431, `request head exceeds ${maxHeaderBytes} bytes`);
      }
      this.#scanFrom = Math.max(0, this.#pending.length - 3);
      if (this.#state === "idle" && this.#pending.length > 0) {
        this.#state = "head";
        this.#socket.timeout(this.#settings.headersTimeoutSeconds);
        this.#keepAliveArmed = false;
      }
      return;
    }
    let head: IncomingHead;
    try {
      head = interpretHead(this.#pending.subarray(0, end), this.#settings.tls, maxHeaderBytes);
    } catch (error) {
      const tooLarge = error instanceof WireError && error.reason === "too_large";
      return this.#refuse(tooLarge ? 431 : 400, (error as Error).message);
    }
    const rest = this.#pending.subarray(end);
    this.#pending = EMPTY;
    this.#scanFrom = 0;
    this.#keepAlive = head.keepAlive;
    if (head.expectContinue && head.body.kind !== "none") this.#out.write(CONTINUE);
    if (head.body.kind === "length" && head.body.length <= SMALL_BODY_BYTES) {
      // The head timeout guards the small body too. A head that came whole on a kept-alive connection
      // never moved it out of "idle", whose keep-alive timer is still armed: arm the head timeout now.
      if (this.#keepAliveArmed) this.#socket.timeout(this.#settings.headersTimeoutSeconds);
      this.#keepAliveArmed = false;
      this.#body = RequestBody.whole(head.body.length);
      this.#heldHead = head;
      this.#state = "body";
    } else {
      this.#socket.timeout(0);
      this.#keepAliveArmed = false;
      this.#body = null;
      this.#dispatch(head, head.body.kind === "none" ? null : this.#openStream(head));
    }
    if (rest.length > 0) this.receive(rest);
  }

  #openStream(head: IncomingHead): ReadableStream<Uint8Array> {
    this.#state = "body";
    const { body, stream } = RequestBody.streamed(head.body, {
      pause: () => this.#socket.pause(),
      resume: () => this.#socket.resume(),
      // Nobody reads the rest: the connection cannot find the next request, so it ends after the response.
      abandoned: () => void (this.#keepAlive = false),
    });
    this.#body = body;
    return stream;
  }

  #receiveBody(bytes: Uint8Array): void {
    const body = this.#body!;
    let used: number;
    try {
      used = body.receive(bytes);
    } catch (error) {
      // Broken chunked framing: the body's stream has the error, so the handler answers (400 for a push)
      // and the connection then ends, as nothing after the break can be trusted. Later bytes wait unread.
      this.#brokenBody = error as Error;
      this.#keepAlive = false;
      this.#state = "busy";
      return this.#socket.pause();
    }
    if (body.done) {
      const head = this.#heldHead;
      if (head !== null) {
        this.#heldHead = null;
        this.#body = null;
        this.#socket.timeout(0);
        this.#dispatch(head, body.bytes);
      } else {
        // The last piece may have paused the socket, and a closed stream never pulls again to resume it.
        this.#socket.resume();
        if (this.#state === "body") this.#state = "busy";
      }
    }
    if (used < bytes.length) this.receive(bytes.subarray(used));
  }

  /** The body, if any, has arrived whole: the connection can find the next request. */
  get #bodyDone(): boolean {
    return this.#body === null || this.#body.done;
  }

  #failBody(error: Error): void {
    this.#heldHead = null;
    this.#body?.fail(error);
  }

  #dispatch(head: IncomingHead, body: Uint8Array | ReadableStream<Uint8Array> | null): void {
    if (this.#bodyDone) this.#state = "busy";
    const aborter = new AbortController();
    this.#aborter = aborter;
    const hasBody = head.method !== "GET" && head.method !== "HEAD";
    let request: Request;
    try {
      request = new Request(head.url, {
        method: head.method,
        headers: head.headers,
        body: hasBody ? body as BodyInit | null : null,
        signal: aborter.signal,
        // @ts-expect-error: `duplex` is required by fetch implementations for stream bodies but missing from lib types.
        duplex: "half",
      });
    } catch (error) {
      // A request the runtime's Request class refuses (Deno refuses CONNECT and TRACE; Bun 1.4 accepts them).
      this.#failBody(error as Error);
      return this.#refuse(400, `bad request: ${(error as Error).message}`);
    }
    if (!hasBody && body instanceof ReadableStream) body.cancel().catch(() => {});
    const info: ConnInfo = this.#settings.peerCertificates
      ? {
        absoluteForm: head.absoluteForm,
        remoteAddress: this.#socket.remoteAddress,
        peerCertificate: this.#peerCertificate(),
      }
      : { absoluteForm: head.absoluteForm, remoteAddress: this.#socket.remoteAddress };
    let answer: Response | Promise<Response>;
    try {
      answer = this.#settings.handler(request, info);
    } catch (error) {
      answer = Promise.reject(error);
    }
    void this.#respond(answer, head.method === "HEAD", head.version === "HTTP/1.0");
  }

  #peerCertificate(): PeerCertificate | null {
    if (this.#peer !== undefined) return this.#peer;
    const socket = this.#socket;
    return this.#peer = toPeerCertificate(
      socket.getPeerCertificate?.(),
      socket.authorized === true,
      socket.getAuthorizationError?.()?.message ?? "",
    );
  }

  /**
   * Writes the answer (not the Request, which a suspended frame would keep). A failed handler gets a 500 and
   * a graceful close (a reset could discard earlier pipelined replies); a response that fails halfway resets
   * the connection, so the cut cannot pass for a whole message. Nothing more is served either way.
   */
  async #respond(answer: Response | Promise<Response>, headRequest: boolean, http10: boolean): Promise<void> {
    let response: Response;
    try {
      response = await answer;
    } catch {
      if (this.#state === "closed") return;
      if (this.#brokenBody !== null) return this.#refuse(400, this.#brokenBody.message);
      this.#failBody(new Error("the handler failed"));
      return this.#refuse(500, "internal server error");
    }
    try {
      await this.#write(response, headRequest, http10);
    } catch {
      this.#socket.terminate();
      this.closed();
    }
  }

  async #write(response: Response, headRequest: boolean, http10: boolean): Promise<void> {
    if (this.#state === "closed") return void response.body?.cancel().catch(() => {});
    const close = !this.#keepAlive || /\bclose\b/i.test(response.headers.get("connection") ?? "");
    const unframed = await writeResponse(this.#out, response, {
      headRequest,
      connection: close ? "close" : null,
      date: this.#settings.date(),
      http10,
    });
    this.#aborter = null;
    if (close || unframed || !this.#bodyDone || !this.#keepAlive) {
      this.#state = "closed";
      this.#socket.end();
      return;
    }
    this.#state = "idle";
    this.#socket.timeout(this.#settings.keepAliveSeconds);
    this.#keepAliveArmed = true;
    if (this.#pending.length > 0) {
      this.#socket.resume();
      this.#parseHead();
    }
  }

  #refuse(status: 400 | 408 | 431 | 500, reason: string): void {
    const body = new TextEncoder().encode(`${reason.replace(/[\r\n]+/g, " ")}\n`);
    const head = `HTTP/1.1 ${status} ${statusText(status)}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\ndate: ${this.#settings.date()}\r\n\r\n`;
    this.#out.write(concatBytes(latin1Encode(head), body));
    this.#state = "closed";
    this.#pending = EMPTY;
    this.#socket.end();
  }
}
