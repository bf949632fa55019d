/**
 * One scrape on its way through the proxy: queued for a poll, delivered to a client, then relayed from the
 * client's push to the waiting scraper. It owns the scrape's single deadline, which covers the whole trip:
 * Prometheus gives up at the same moment, so there is no point in relaying after it.
 */
import type { HttpError } from "./http_error.ts";
import { ScrapeError } from "./scrape_outcome.ts";
import type { Clock } from "../time/clock.ts";

/** What the scraper receives: built into a Response by the HTTP layer. */
export interface ScrapeReply {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
  /**
   * For a streamed body: resolves once the relay ended, with null when the scraper read it all, else with
   * why not. Null when the body is already whole (the scrape was over when the reply was made).
   */
  readonly relayed: Promise<Error | null> | null;
}

export type ScrapeState = "queued" | "delivered" | "relaying" | "settled";

export interface PendingScrapeInit {
  readonly id: string;
  readonly fqdn: string;
  readonly url: string;
  /** The serialized request: the body of the poll response that carries this scrape. */
  readonly payload: Uint8Array;
  readonly timeoutMs: number;
  readonly timers: Clock;
  /** Aborts when the scraper hangs up. */
  readonly signal?: AbortSignal;
  /** Called once when the scrape is settled, so its owner can drop every reference to it. */
  readonly onSettled: (scrape: PendingScrape) => void;
}

export class PendingScrape {
  readonly id: string;
  readonly fqdn: string;
  readonly url: string;
  readonly payload: Uint8Array;
  readonly timeoutMs: number;
  /** Resolves with the reply for the scraper, or rejects with an HttpError. */
  readonly reply: Promise<ScrapeReply>;

  #state: ScrapeState = "queued";
  #holder = "";
  #resolve!: (reply: ScrapeReply) => void;
  #reject!: (error: HttpError) => void;
  #timer: unknown;
  #stopRelay: ((error: Error) => void) | null = null;
  #failure: string | null = null;
  readonly #init: PendingScrapeInit;

  constructor(init: PendingScrapeInit) {
    this.#init = init;
    this.id = init.id;
    this.fqdn = init.fqdn;
    this.url = init.url;
    this.payload = init.payload;
    this.timeoutMs = init.timeoutMs;
    this.reply = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A rejection nobody awaits yet (e.g. the scraper already left) must not crash the process.
    this.reply.catch(() => {});
    this.#timer = init.timers.setTimeout(() => this.#expire(), init.timeoutMs);
    init.signal?.addEventListener("abort", () => this.fail(scraperGone("scraper went away")), { once: true });
  }

  get state(): ScrapeState {
    return this.#state;
  }

  /**
   * Why the scrape failed, once settled: the proxy's own error, the status and cause a client pushed
   * (anything but 2xx), or a relay that broke off; null for a scrape that went through.
   */
  get failure(): string | null {
    return this.#failure;
  }

  /**
   * Who took the scrape (the principal of the poll it was handed to; "" without authentication): only they
   * may push its result.
   */
  get holder(): string {
    return this.#holder;
  }

  /** Handed to a poll of `holder`; that client now owes us a push. */
  markDelivered(holder = ""): void {
    if (this.#state !== "queued") return;
    this.#state = "delivered";
    this.#holder = holder;
  }

  /** The poll that took it could not be answered after all: it may go to the next poll. */
  markQueued(): void {
    if (this.#state === "delivered") this.#state = "queued";
  }

  /** Fails the scrape with an answer for the scraper (no-op once settled or relaying). */
  fail(error: HttpError): void {
    if (this.#state === "settled") return;
    if (this.#state === "relaying") {
      this.#stopRelay?.(error);
      return;
    }
    this.#failure = `${error.status} ${error.message}`;
    this.#reject(error);
    this.#settle();
  }

  /**
   * Relays a pushed response to the scraper. Resolves with null once the scraper has read the whole body,
   * or with the reason it did not: the scraper went away, the deadline passed, or the pushed body broke
   * (then the pushed body's own error, e.g. a WireError, so the pusher can be told what was wrong). A body
   * already in memory is handed over whole, and the scrape is settled at once: nothing is left to wait for.
   * A streamed body is shown to the scraper once its first piece is in: a push that breaks before that
   * gets the scraper a clean 502 at once, rather than a 200 cut off at its first byte.
   */
  relay(
    head: { status: number; statusText: string; headers: Headers },
    body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>,
  ): Promise<Error | null> {
    if (this.#state !== "delivered") {
      if (body instanceof ReadableStream) body.cancel().catch(() => {});
      return Promise.resolve(new Error(`scrape ${this.id} is no longer waiting for a result`));
    }
    if (head.status < 200 || head.status > 299) this.#failure = pushedFailure(head, body);
    if (body instanceof Uint8Array) {
      this.#resolve({ ...head, body, relayed: null });
      this.#settle();
      return Promise.resolve(null);
    }
    this.#state = "relaying";
    const source = body.getReader();
    let finish!: (error: Error | null) => void;
    const finished = new Promise<Error | null>((resolve) => (finish = resolve));
    const done = (error: Error | null) => {
      if (error !== null && this.#state !== "settled") this.#failure = `relay broke off: ${error.message}`;
      finish(error);
      this.#settle();
    };
    let first: ReadableStreamReadResult<Uint8Array> | null = null;
    const relayed = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#stopRelay = (error) => {
          // Before the first piece the scraper has no answer yet: this is it.
          this.#reject(error as HttpError);
          controller.error(error);
          source.cancel(error).catch(() => {});
          done(error);
        };
      },
      pull: async (controller) => {
        try {
          const next = first ?? await source.read();
          first = null;
          if (next.done) {
            controller.close();
            done(null);
          } else {
            controller.enqueue(next.value);
          }
        } catch (error) {
          controller.error(error);
          done(error instanceof Error ? error : new Error(String(error)));
        }
      },
      cancel: (reason) => {
        source.cancel(reason).catch(() => {});
        done(scraperGone("the scraper went away before the whole body was relayed"));
      },
    }, { highWaterMark: 0 });
    source.read().then((next) => {
      if (this.#state !== "relaying") return;
      first = next;
      this.#resolve({ ...head, body: relayed, relayed: finished });
    }, (error) => {
      if (this.#state !== "relaying") return;
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#reject(
        new ScrapeError(
          502,
          "broken_push",
          `client for "${this.fqdn}" pushed a broken result: ${failure.message}`,
          {
            reason: `client pushed a broken result: ${failure.message}`,
            cause: failure,
          },
        ),
      );
      done(failure);
    });
    return finished;
  }

  #expire(): void {
    this.#timer = undefined;
    const seconds = this.timeoutMs / 1000;
    const timedOut = (why: string, reason: string) =>
      this.fail(
        new ScrapeError(504, "timeout", `scrape of ${this.url} timed out after ${seconds}s: ${why}`, {
          reason,
        }),
      );
    if (this.#state === "queued") {
      timedOut(`no PushProx client for "${this.fqdn}" polled in time`, `no client polled within ${seconds}s`);
    } else if (this.#state === "delivered") {
      timedOut(`the client for "${this.fqdn}" pushed no result`, `no answer from client within ${seconds}s`);
    } else {
      timedOut("the body was still being relayed", `body not relayed within ${seconds}s`);
    }
  }

  #settle(): void {
    if (this.#state === "settled") return;
    this.#state = "settled";
    if (this.#timer !== undefined) this.#init.timers.clearTimeout(this.#timer);
    this.#stopRelay = null;
    this.#init.onSettled(this);
  }
}

/** Reads at most this much of a failed scrape's body for its cause. */
const CAUSE_BYTES = 1024;

/**
 * A failed scrape as a person reads it: the pushed status, and the first line of the body when it is plain
 * text in memory (our client and upstream's push the cause there).
 */
function pushedFailure(
  head: { status: number; statusText: string; headers: Headers },
  body: ReadableStream<Uint8Array> | Uint8Array,
): string {
  const status = `${head.status} ${head.statusText}`.trim();
  const encoding = head.headers.get("content-encoding");
  if (!(body instanceof Uint8Array) || (encoding !== null && encoding !== "identity")) return status;
  const text = new TextDecoder().decode(body.subarray(0, CAUSE_BYTES)).trim();
  const line = text.split("\n", 1)[0]!.trim();
  return line === "" ? status : `${head.status} ${line}`;
}

function scraperGone(message: string): ScrapeError {
  return new ScrapeError(499, "scraper_gone", message, { reason: "scraper went away" });
}
