/**
 * Our client with upstream's Go proxy, imitated from captured bytes: the fake proxy answers the first
 * poll with the exact poll response of fixture 02 (Content-Length framing) or fixture 10 (chunked, with a
 * 3000-byte header), the target port rewritten to a local target, and records what our client pushes.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { FakeUpstreamProxy } from "../support/fake_upstream_proxy.ts";
import { fixtureBytes, fixtureMessage, rewriteBody } from "../support/fixtures.ts";
import { Harness } from "../support/harness.ts";
import {
  bodyText,
  headerValue,
  type HttpMessage,
  parseMessage,
  requestTarget,
  statusOf,
} from "../support/http_message.ts";
import { selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";

/** Where the captures' target listened; rewritten to our local target's port. */
const CAPTURED_TARGET = "127.0.0.1:19100";

interface Scenario {
  readonly dir: string;
  readonly framing: "content-length" | "chunked";
}

const SCENARIOS: readonly Scenario[] = [
  { dir: "02-curl-scrape-plain", framing: "content-length" },
  { dir: "10-large-scrape-request", framing: "chunked" },
];

/** The scrape id inside a captured poll response. */
function capturedId(pollResponse: HttpMessage): string {
  const id = /^Id: (\S+)\r$/m.exec(new TextDecoder().decode(pollResponse.body))?.[1];
  assert.ok(id, "the captured poll response carries an Id header");
  return id;
}

describe(`our client with upstream's Go proxy bytes (${selectedImplementation()})`, () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  /** Runs our client against a fake proxy replaying `scenario`; returns what was pushed. */
  async function run(
    scenario: Scenario,
  ): Promise<{ push: HttpMessage; target: StaticTarget; id: string; fake: FakeUpstreamProxy }> {
    const target = await h.startStaticTarget();
    const captured = fixtureMessage(scenario.dir, "3-poll-response.proxy-to-client.http", "response");
    assert.equal(captured.framing, scenario.framing, "the fixture has the framing this case is about");
    const fake = await h.startFakeUpstreamProxy({
      firstPollResponse: rewriteBody(captured, CAPTURED_TARGET, `127.0.0.1:${target.port}`),
      pushResponse: fixtureBytes("02-curl-scrape-plain", "7-push-response.proxy-to-client.http"),
    });
    await h.startClient([`--proxy-url=${fake.url}`, "--fqdn=127.0.0.1", "--metrics-addr="], {
      waitFor: "started",
    });
    const push = await fake.waitForPush(1, 20_000).catch((error: Error) => {
      throw new Error(
        `${error.message}\npolls: ${fake.polls.length}, others: ${fake.others.length}\n${h.logs()}`,
      );
    });
    return { push, target, id: capturedId(captured), fake };
  }

  for (const scenario of SCENARIOS) {
    const label = `fixture ${scenario.dir.slice(0, 2)} (${scenario.framing} poll response)`;

    it(`polls as upstream's client does: POST /poll with the bare FQDN, then scrapes for ${label}`, async () => {
      const { target, fake } = await run(scenario);
      const poll = fake.polls[0]!;
      assert.deepEqual(requestTarget(poll), ["POST", "/poll"]);
      assert.equal(bodyText(poll).trim(), "127.0.0.1");
      assert.deepEqual(fake.others, [], "no requests besides /poll and /push");
      assert.equal(target.requests.length, 1, "the target was scraped exactly once");
      assert.equal(target.requests[0]!.method, "GET");
      assert.equal(target.requests[0]!.url, "/metrics");
    });

    it(`pushes the target's response with the fixture's Id for ${label}`, async () => {
      const { push, target, id } = await run(scenario);
      assert.deepEqual(requestTarget(push), ["POST", "/push"]);
      const inner = parseMessage(push.body, "response");
      assert.equal(statusOf(inner), 200);
      assert.equal(headerValue(inner, "Id"), id);
      assert.equal(bodyText(inner), target.body);
      assert.equal(headerValue(inner, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    });
  }

  it("passes the 3000-byte X-Big header of fixture 10's chunked poll response to the target", async () => {
    const { target } = await run(SCENARIOS[1]!);
    const big = target.requests[0]!.headers["x-big"];
    assert.equal(typeof big === "string" ? big.length : 0, 3000);
  });
});
