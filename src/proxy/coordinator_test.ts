import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Coordinator } from "./coordinator.ts";
import { FakeTimers } from "./fake_timers.ts";
import { HttpError } from "./http_error.ts";
import type { ScrapeReply } from "./pending_scrape.ts";

function setup(maxClients?: number) {
  const timers = new FakeTimers();
  let n = 0;
  const coordinator = new Coordinator({
    timers,
    newId: () => `id-${++n}`,
    registrationTimeoutMs: 300_000,
    disconnectGraceMs: 1000,
    maxClients,
  });
  const order = (fqdn: string, timeoutMs = 10_000, signal?: AbortSignal) => ({
    fqdn,
    url: `http://${fqdn}:9100/metrics`,
    timeoutMs,
    signal,
    serialize: (id: string) => new TextEncoder().encode(`GET ${id}`),
  });
  return { timers, coordinator, order };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `expected HttpError, got ${error}`);
    return error;
  }
  assert.fail("expected the promise to reject");
}

/** A relayed body that these tests pushed as a stream. */
function streamed(body: ScrapeReply["body"]): ReadableStream<Uint8Array> {
  assert.ok(body instanceof ReadableStream, "the relayed body is not a stream");
  return body;
}

function body(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body!;
}

describe("Coordinator", () => {
  it("poll() past maxClients is refused with 503 naming the limit, while known clients keep polling and being scraped", async () => {
    const { coordinator, order } = setup(2);
    const signal = new AbortController().signal;
    const first = coordinator.poll("a", { idleTimeoutMs: null, signal });
    void coordinator.poll("b", { idleTimeoutMs: null, signal });
    const refused = await rejection(coordinator.poll("c", { idleTimeoutMs: null, signal }));
    assert.equal(refused.status, 503);
    assert.match(refused.message, /"c".*2 clients/);
    assert.equal(coordinator.registrationsRefused, 1);
    assert.deepEqual(coordinator.knownClients(), ["a", "b"]);
    // A known client polls again past the limit, and its scrape goes through.
    void coordinator.poll("a", { idleTimeoutMs: null, signal });
    void coordinator.scrape(order("a"));
    assert.equal((await first)?.fqdn, "a");
    assert.equal(coordinator.registrationsRefused, 1);
  });

  it("poll() has no limit when maxClients is 0", async () => {
    const { coordinator } = setup(0);
    const signal = new AbortController().signal;
    for (let i = 0; i < 50; i++) void coordinator.poll(`host-${i}`, { idleTimeoutMs: null, signal });
    await flush();
    assert.equal(coordinator.clientCount, 50);
    assert.equal(coordinator.registrationsRefused, 0);
  });

  it("claim() accepts a push only from the principal whose poll took the scrape; a refusal changes nothing", async () => {
    const { coordinator, order } = setup();
    // A scrape handed to a waiting poll, and a queued one taken by the next poll: both record who took them.
    const signal = new AbortController().signal;
    const waiting = coordinator.poll("host-a", { idleTimeoutMs: null, signal, principal: "user:a" });
    const handed = coordinator.scrape(order("host-a"));
    const first = await waiting;
    const queued = coordinator.scrape(order("host-a"));
    const second = await coordinator.poll("host-a", { idleTimeoutMs: null, signal, principal: "cert:AB" });
    assert.equal(first?.holder, "user:a");
    assert.equal(second?.holder, "cert:AB");
    for (const [id, intruder] of [["id-1", "cert:AB"], ["id-2", "user:a"], ["id-1", ""]]) {
      assert.throws(() => coordinator.claim(id, intruder), (error: HttpError) => {
        assert.equal(error.status, 403);
        assert.match(error.message, /which another client took/);
        return true;
      });
    }
    for (const [id, owner, reply] of [["id-1", "user:a", handed], ["id-2", "cert:AB", queued]] as const) {
      const scrape = coordinator.claim(id, owner);
      assert.ok(scrape, `${owner} may still push ${id}`);
      void scrape.relay({ status: 200, statusText: "OK", headers: new Headers() }, body(owner));
      assert.equal(await new Response(streamed((await reply).body)).text(), owner);
    }
  });

  it("scrape() for a host nobody polls for fails at once, naming the host", async () => {
    const { coordinator, order } = setup();
    const error = await rejection(coordinator.scrape(order("ghost.example")));
    assert.equal(error.status, 503);
    assert.match(error.message, /ghost\.example/);
  });

  it("hands a scrape to a waiting poll and relays the pushed result", async () => {
    const { coordinator, order } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a"));
    const scrape = await poll;
    assert.ok(scrape);
    assert.equal(new TextDecoder().decode(scrape.payload), "GET id-1");
    const claimed = coordinator.claim("id-1");
    assert.equal(claimed, scrape);
    const relayed = claimed.relay(
      { status: 200, statusText: "OK", headers: new Headers({ a: "b" }) },
      body("up 1\n"),
    );
    const response = await reply;
    assert.equal(response.status, 200);
    assert.equal(await new Response(response.body).text(), "up 1\n");
    assert.equal(await relayed, null);
  });

  it("queues a scrape for a known client between polls and delivers it on the next poll", async () => {
    const { coordinator, order } = setup();
    const first = coordinator.poll("host-a", { idleTimeoutMs: 100, signal: new AbortController().signal });
    assert.equal(coordinator.knownClients().length, 1);
    const reply = coordinator.scrape(order("host-a"));
    const delivered = await first;
    assert.equal(delivered?.id, "id-1");
    // A second scrape arrives while the client is busy: it waits for the next poll.
    const reply2 = coordinator.scrape(order("host-a"));
    const next = await coordinator.poll("host-a", {
      idleTimeoutMs: null,
      signal: new AbortController().signal,
    });
    assert.equal(next?.id, "id-2");
    coordinator.claim("id-1")!.relay({ status: 200, statusText: "", headers: new Headers() }, body("1"));
    coordinator.claim("id-2")!.relay({ status: 200, statusText: "", headers: new Headers() }, body("2"));
    assert.equal(
      await streamed((await reply).body).getReader().read().then((r) => new TextDecoder().decode(r.value)),
      "1",
    );
    assert.equal(
      await streamed((await reply2).body).getReader().read().then((r) => new TextDecoder().decode(r.value)),
      "2",
    );
  });

  it("never hands a scrape to a poll whose connection closed", async () => {
    const { coordinator, order, timers } = setup();
    const dead = new AbortController();
    const deadPoll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: dead.signal });
    const livePoll = coordinator.poll("host-a", {
      idleTimeoutMs: null,
      signal: new AbortController().signal,
    });
    dead.abort();
    assert.equal(await deadPoll, null);
    void coordinator.scrape(order("host-a"));
    assert.equal((await livePoll)?.id, "id-1");
    assert.ok(timers.armed >= 1);
  });

  it("fails queued scrapes soon after the client's only poll connection drops, then forgets the client", async () => {
    const { coordinator, order, timers } = setup();
    const connection = new AbortController();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: connection.signal });
    connection.abort();
    await poll;
    const reply = coordinator.scrape(order("host-a", 60_000));
    timers.advance(999);
    await flush();
    assert.equal(coordinator.knownClients().length, 1);
    timers.advance(1);
    const error = await rejection(reply);
    assert.equal(error.status, 503);
    assert.match(error.message, /host-a.*disconnected/);
    assert.deepEqual(coordinator.knownClients(), []);
    assert.equal(timers.armed, 0);
  });

  it("keeps a client whose poll dropped if it polls again within the grace period", async () => {
    const { coordinator, order, timers } = setup();
    const connection = new AbortController();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: connection.signal });
    connection.abort();
    await poll;
    const reply = coordinator.scrape(order("host-a"));
    timers.advance(500);
    const again = await coordinator.poll("host-a", {
      idleTimeoutMs: null,
      signal: new AbortController().signal,
    });
    assert.equal(again?.id, "id-1");
    // Having taken the scrape, the client polls again at once, as every real client does.
    void coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    timers.advance(5000);
    assert.deepEqual(coordinator.knownClients(), ["host-a"]);
    coordinator.claim("id-1")!.relay({ status: 200, statusText: "", headers: new Headers() }, body("ok"));
    assert.equal((await reply).status, 200);
  });

  it("fails in-flight scrapes when the client that took them disappears", async () => {
    const { coordinator, order, timers } = setup();
    const reply = (async () => {
      const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
      const r = coordinator.scrape(order("host-a", 60_000));
      await poll;
      return r;
    })();
    await flush();
    // The client polls again while scraping, then is killed: that poll's connection drops.
    const connection = new AbortController();
    const second = coordinator.poll("host-a", { idleTimeoutMs: null, signal: connection.signal });
    connection.abort();
    await second;
    timers.advance(1000);
    const error = await rejection(reply.then((r) => r));
    assert.equal(error.status, 503);
  });

  it("answers an idle poll with null after the idle timeout, and keeps the client known", async () => {
    const { coordinator, timers } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: 25_000, signal: new AbortController().signal });
    timers.advance(25_000);
    assert.equal(await poll, null);
    assert.deepEqual(coordinator.knownClients(), ["host-a"]);
    timers.advance(299_999);
    assert.deepEqual(coordinator.knownClients(), ["host-a"]);
    timers.advance(1);
    assert.deepEqual(coordinator.knownClients(), []);
  });

  it("ignores the idle deadline of a poll that already took a scrape", async () => {
    const { coordinator, order, timers } = setup();
    const first = coordinator.poll("host-a", { idleTimeoutMs: 100, signal: new AbortController().signal });
    void coordinator.scrape(order("host-a", 60_000));
    assert.notEqual(await first, null);
    // The registration timeout runs from the end of the last poll, not from its stale idle deadline.
    timers.advance(300_000);
    assert.deepEqual(coordinator.knownClients(), []);

    const again = coordinator.poll("host-b", { idleTimeoutMs: 100, signal: new AbortController().signal });
    void coordinator.scrape(order("host-b", 60_000));
    await again;
    let second: unknown = "waiting";
    void coordinator.poll("host-b", { idleTimeoutMs: null, signal: new AbortController().signal }).then((s) =>
      second = s
    );
    timers.advance(1000);
    await flush();
    assert.equal(second, "waiting", "the first poll's deadline must not answer the next poll");
    coordinator.close();
  });

  it("answers every idle poll of many clients at its own deadline", async () => {
    const { coordinator, timers } = setup();
    const early = Array.from(
      { length: 50 },
      (_, i) => coordinator.poll(`early-${i}`, { idleTimeoutMs: 1000, signal: new AbortController().signal }),
    );
    timers.advance(500);
    const late = coordinator.poll("late", { idleTimeoutMs: 1000, signal: new AbortController().signal });
    let lateAnswer: unknown = "waiting";
    void late.then((s) => lateAnswer = s);
    timers.advance(500);
    assert.deepEqual(await Promise.all(early), Array(50).fill(null));
    await flush();
    assert.equal(lateAnswer, "waiting");
    timers.advance(500);
    assert.equal(await late, null);
  });

  it("times out a scrape nobody polls for with 504 and a reason, and a late push finds nothing", async () => {
    const { coordinator, order, timers } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a", 2000));
    await poll;
    void coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    timers.advance(2000);
    const error = await rejection(reply);
    assert.equal(error.status, 504);
    assert.match(error.message, /pushed no result/);
    assert.equal(coordinator.claim("id-1"), undefined);
  });

  it("fails a taken scrape after the grace period when its client never polls again", async () => {
    // The poll's peer may die just before the scrape is written to it: no close is ever reported then.
    const { coordinator, order, timers } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a", 30_000));
    await poll;
    timers.advance(999);
    assert.deepEqual(coordinator.knownClients(), ["host-a"]);
    timers.advance(1);
    const error = await rejection(reply);
    assert.equal(error.status, 503);
    assert.match(error.message, /"host-a" did not poll again within 1s of taking a scrape/);
    assert.deepEqual(coordinator.knownClients(), []);
  });

  it("serves every scrape when two clients poll for the same FQDN, oldest poll first", async () => {
    const { coordinator, order } = setup();
    const a = coordinator.poll("twin", { idleTimeoutMs: null, signal: new AbortController().signal });
    const b = coordinator.poll("twin", { idleTimeoutMs: null, signal: new AbortController().signal });
    void coordinator.scrape(order("twin"));
    void coordinator.scrape(order("twin"));
    assert.equal((await a)?.id, "id-1");
    assert.equal((await b)?.id, "id-2");
  });

  it("forgets a scrape whose scraper hung up, so its push is refused", async () => {
    const { coordinator, order } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const scraper = new AbortController();
    const reply = coordinator.scrape(order("host-a", 10_000, scraper.signal));
    await poll;
    scraper.abort();
    await rejection(reply);
    assert.equal(coordinator.claim("id-1"), undefined);
  });

  it("cuts a relay at the deadline and reports why to the pusher", async () => {
    const { coordinator, order, timers } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a", 1000));
    await poll;
    let sent = false;
    const stalls = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (sent) return new Promise(() => {});
        sent = true;
        controller.enqueue(new TextEncoder().encode("first"));
        return Promise.resolve();
      },
    });
    const relayed = coordinator.claim("id-1")!.relay(
      { status: 200, statusText: "", headers: new Headers() },
      stalls,
    );
    const reader = streamed((await reply).body).getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
    const reading = reader.read();
    timers.advance(1000);
    await assert.rejects(reading);
    const failure = await relayed;
    assert.match(String(failure?.message), /timed out/);
  });

  it("answers the scraper 504 when a pushed body sends nothing before the deadline", async () => {
    const { coordinator, order, timers } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a", 1000));
    await poll;
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const relayed = coordinator.claim("id-1")!.relay(
      { status: 200, statusText: "", headers: new Headers() },
      never,
    );
    timers.advance(1000);
    await assert.rejects(reply, (error) => error instanceof HttpError && error.status === 504);
    assert.match(String((await relayed)?.message), /timed out/);
  });

  it("answers the scraper 502 at once when a pushed body breaks before its first piece", async () => {
    const { coordinator, order } = setup();
    const poll = coordinator.poll("host-a", { idleTimeoutMs: null, signal: new AbortController().signal });
    const reply = coordinator.scrape(order("host-a", 1000));
    await poll;
    const broken = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new SyntaxError("malformed chunked body: LF without CR")),
    });
    const relayed = coordinator.claim("id-1")!.relay(
      { status: 200, statusText: "", headers: new Headers() },
      broken,
    );
    await assert.rejects(
      reply,
      (error) => error instanceof HttpError && error.status === 502 && /LF without CR/.test(error.message),
    );
    assert.match(String((await relayed)?.message), /LF without CR/);
  });
});
