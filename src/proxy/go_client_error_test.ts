import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { goClientErrorPhrase } from "./go_client_error.ts";

const FIXTURES = new URL("../../test/fixtures/pushprox-go-v0.2.0/", import.meta.url);

/** The error text of a captured Go client error push: the body after the serialized head. */
function capturedErrorText(scenario: string): string {
  const push = readFileSync(new URL(`${scenario}/6-push-request.client-to-proxy.body`, FIXTURES), "latin1");
  return push.slice(push.indexOf("\r\n\r\n") + 4);
}

describe("goClientErrorPhrase()", () => {
  it("goClientErrorPhrase() names a refused connection and its address, from the captured Go push", () => {
    assert.equal(
      goClientErrorPhrase(capturedErrorText("04-target-down")),
      "target unreachable: connection refused (127.0.0.1:19100)",
    );
  });

  it("goClientErrorPhrase() names the host a lookup did not find", () => {
    const text = 'failed to scrape http://h1.invalid:9100/metrics: Get "http://h1.invalid:9100/metrics": ' +
      "dial tcp: lookup h1.invalid on 127.0.0.53:53: no such host";
    assert.equal(goClientErrorPhrase(text), "target unreachable: no such host h1.invalid");
    assert.equal(
      goClientErrorPhrase('Get "http://h1.invalid:9100/": dial tcp: lookup h1.invalid: no such host'),
      "target unreachable: no such host h1.invalid",
    );
  });

  it("goClientErrorPhrase() says a target timed out", () => {
    const text =
      'failed to scrape http://h:9100/metrics: Get "http://h:9100/metrics": context deadline exceeded';
    assert.equal(goClientErrorPhrase(text), "target timed out");
  });

  it("goClientErrorPhrase() passes any other error on without Go's wrappers", () => {
    assert.equal(
      goClientErrorPhrase(capturedErrorText("03-curl-scrape-no-timeout-header")),
      'client error: strconv.ParseFloat: parsing "": invalid syntax',
    );
    assert.equal(
      goClientErrorPhrase("scrape target doesn't match client fqdn\nsecond line"),
      "client error: scrape target doesn't match client fqdn",
    );
  });

  it("goClientErrorPhrase() gives null for an empty text, so the pushed phrase stays", () => {
    assert.equal(goClientErrorPhrase(" \n"), null);
  });
});
