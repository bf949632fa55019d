/**
 * One client polling upstream's Go proxy (imitated from captured bytes, as in upstream_proxy_test.ts) and
 * ours at the same time: the scrape the Go proxy hands out is pushed back to it, in its format, while
 * scrapes through our proxy go on, so a Go proxy can be one of several.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { fixtureBytes, fixtureMessage, rewriteBody } from "../support/fixtures.ts";
import { Harness } from "../support/harness.ts";
import { bodyText, headerValue, parseMessage, requestTarget, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { selectedImplementation } from "../support/pushprox.ts";
import { waitFor } from "../support/wait.ts";

/** Where the captures' target listened; rewritten to our local target's port. */
const CAPTURED_TARGET = "127.0.0.1:19100";
const SCENARIO = "02-curl-scrape-plain";

describe(`our client polling upstream's Go proxy and ours at once (${selectedImplementation()})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("pushes the Go proxy's scrape back to it and serves scrapes through ours meanwhile", async () => {
    const target = await h.startStaticTarget();
    const ours = await h.startProxy();
    const captured = fixtureMessage(SCENARIO, "3-poll-response.proxy-to-client.http", "response");
    const goProxy = await h.startFakeUpstreamProxy({
      firstPollResponse: rewriteBody(captured, CAPTURED_TARGET, `127.0.0.1:${target.port}`),
      pushResponse: fixtureBytes(SCENARIO, "7-push-response.proxy-to-client.http"),
    });
    // Ours first: startClient() waits for the first --proxy-url's /clients, which only ours serves.
    const client = await h.startClient([
      `--proxy-url=${ours.url}`,
      `--proxy-url=${goProxy.url}`,
      "--fqdn=127.0.0.1",
    ]);

    const push = await goProxy.waitForPush(1, 20_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${h.logs()}`);
    });
    assert.deepEqual(requestTarget(push), ["POST", "/push"]);
    const inner = parseMessage(push.body, "response");
    const capturedId = /^Id: (\S+)\r$/m.exec(new TextDecoder().decode(captured.body))?.[1];
    assert.ok(capturedId, "the captured poll response carries an Id header");
    assert.equal(statusOf(inner), 200);
    assert.equal(headerValue(inner, "Id"), capturedId);
    assert.equal(bodyText(inner), target.body);
    // Held by the Go proxy from here on, as a poll with nothing to do is.
    await waitFor(() => goProxy.polls.length >= 2, {
      timeoutMs: 10_000,
      what: "the client's next poll to the Go proxy",
      details: () => h.logs(),
    });

    for (let i = 0; i < 3; i++) {
      const response = await rawExchange(
        ours.port,
        absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
          "X-Prometheus-Scrape-Timeout-Seconds",
          "5",
        ]]),
      );
      assert.equal(statusOf(response), 200, `${bodyText(response)}\n${h.logs()}`);
      assert.equal(bodyText(response), target.body);
    }
    assert.equal(goProxy.pushes.length, 1, "scrapes through our proxy were not pushed to the Go proxy");
    assert.deepEqual(goProxy.others, [], "nothing but /poll and /push reached the Go proxy");
    const page = await (await fetch(`http://127.0.0.1:${client.port}/metrics`)).text();
    for (const proxy of [ours, goProxy]) {
      assert.match(page, new RegExp(`^pushprox_client_push_errors_total\\{proxy="${proxy.url}"\\} 0$`, "m"));
    }
  });
});
