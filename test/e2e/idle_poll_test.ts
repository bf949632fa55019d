/**
 * Idle polls with a real proxy and client: our client, which announces `PushProx-Accept-Idle: 1`, is
 * answered 204 after `--poll.idle-timeout` and polls again at once, without a warning and without ever
 * leaving /clients; a poll that does not announce it (upstream's Go client) is held as upstream does. And
 * a poll whose connection closed is forgotten: the next scrape goes to a live client, not to the dead poll.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, connectRaw, rawExchange } from "../support/raw_http.ts";
import {
  type ClientHandle,
  listedClients,
  type ProxyHandle,
  selectedImplementation,
} from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { sleep, waitFor } from "../support/wait.ts";

/** `--poll.idle-timeout` here: the flag takes any duration (0 turns idle answers off), so 1 s is allowed. */
const IDLE_TIMEOUT_MS = 1000;

/** A POST /poll for `fqdn`; `acceptIdle` adds the header our client sends. */
function pollRequest(fqdn: string, acceptIdle: boolean): string {
  const idle = acceptIdle ? "PushProx-Accept-Idle: 1\r\n" : "";
  return `POST /poll HTTP/1.1\r\nHost: proxy\r\n${idle}Content-Length: ${fqdn.length}\r\n\r\n${fqdn}`;
}

describe(`idle polls (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;
  let client: ClientHandle;

  before(async () => {
    proxy = await h.startProxy([`--poll.idle-timeout=${IDLE_TIMEOUT_MS}ms`]);
    target = await h.startStaticTarget();
    client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1", "--log.level=debug"]);
  });
  after(() => h.cleanup());

  const scrape = (port: number, host = "127.0.0.1") =>
    rawExchange(
      port,
      absoluteFormGet(`http://${host}:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );

  it("keeps an unscraped client listed through 4 idle timeouts, with no warning, and scrapes it at once after", async () => {
    const missing: string[] = [];
    for (let sample = 0; sample < 16; sample++) {
      const listed = await listedClients(proxy.url);
      if (!listed.includes("127.0.0.1")) missing.push(`sample ${sample}: ${JSON.stringify(listed)}`);
      await sleep(250);
    }
    assert.deepEqual(missing, [], "the idle client dropped out of /clients");

    const stderr = client.process.stderr;
    const idleAnswers = stderr.split("\n").filter((line) => line.includes("Idle poll answered")).length;
    // Four seconds at a 1 s idle timeout: the proxy must really have answered idle polls for this to mean anything.
    assert.ok(idleAnswers >= 3, `the client saw ${idleAnswers} idle answers in 4 s:\n${stderr}`);
    const complaints = stderr.split("\n").filter((line) => /level=(warn|error)/.test(line));
    assert.deepEqual(complaints, [], "the client logged warnings or errors while idle");

    const started = performance.now();
    const response = await scrape(proxy.port);
    const elapsed = performance.now() - started;
    assert.equal(statusOf(response), 200, bodyText(response));
    assert.equal(bodyText(response), target.body);
    assert.ok(elapsed < 500, `the scrape after idling took ${elapsed.toFixed(0)} ms`);
  });

  it("answers a poll that sends PushProx-Accept-Idle: 1 with 204 after the idle timeout", async () => {
    const started = performance.now();
    const response = await rawExchange(proxy.port, pollRequest("idle-aware.pushprox.test", true), 5000);
    const elapsed = performance.now() - started;
    assert.equal(statusOf(response), 204, bodyText(response));
    assert.ok(
      elapsed >= IDLE_TIMEOUT_MS - 50 && elapsed < IDLE_TIMEOUT_MS + 1000,
      `answered after ${elapsed.toFixed(0)} ms`,
    );
  });

  it("holds a poll without PushProx-Accept-Idle past twice the idle timeout, as a Go client expects", async () => {
    const poller = await connectRaw(proxy.port);
    try {
      await poller.write(pollRequest("go-client.pushprox.test", false));
      const answer = await poller.read("response", 2 * IDLE_TIMEOUT_MS + 500).then(
        (response) => `${response.startLine} ${bodyText(response)}`,
        (error: Error) => (poller.reader.ended ? `closed: ${error.message}` : null),
      );
      assert.equal(answer, null, `a Go-style poll was ended after less than ${2 * IDLE_TIMEOUT_MS + 500} ms`);
      assert.ok((await listedClients(proxy.url)).includes("go-client.pushprox.test"));
    } finally {
      poller.close();
    }
  });

  it("never hands a scrape to a poll whose connection closed: a live client for the same host gets it", async () => {
    // A proxy of its own, so the only poll it ever saw for 127.0.0.1 before the real client is the dead one.
    const own = await h.startProxy([`--poll.idle-timeout=${IDLE_TIMEOUT_MS}ms`]);
    const dead = await connectRaw(own.port);
    await dead.write(pollRequest("127.0.0.1", false));
    await waitFor(async () => (await listedClients(own.url)).includes("127.0.0.1"), {
      timeoutMs: 5000,
      what: "the raw poll for 127.0.0.1 to be listed",
    });
    dead.close();
    const live = await h.startClient([`--proxy-url=${own.url}`, "--fqdn=127.0.0.1", "--log.level=debug"], {
      waitFor: "started",
    });
    await waitFor(() => live.process.stderr.includes("Starting client"), {
      timeoutMs: 10_000,
      what: "the live client to start",
      details: () => live.logs(),
    });
    // Its first poll follows that line within milliseconds; no retry below, since a retry would hide a
    // scrape lost to the dead poll.
    await sleep(300);

    const response = await scrape(own.port);
    assert.equal(statusOf(response), 200, `${bodyText(response)}\n${h.logs()}`);
    assert.equal(bodyText(response), target.body);
    // The client logs once the proxy has acknowledged its push, which may be just after Prometheus' answer.
    await waitFor(() => live.process.stderr.includes("Pushed scrape result"), {
      timeoutMs: 2000,
      what: "the live client to report the scrape it served",
      details: () => live.logs(),
    });
  });
});
