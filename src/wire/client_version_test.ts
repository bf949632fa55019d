import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { clientVersionFromUserAgent } from "./client_version.ts";

describe("clientVersionFromUserAgent()", () => {
  it("clientVersionFromUserAgent() reads our client's version and nothing from other agents", () => {
    assert.equal(clientVersionFromUserAgent("pushprox-ts-client/0.1.0"), "0.1.0");
    assert.equal(clientVersionFromUserAgent("pushprox-ts-client/1.2.3-rc.1 (bun)"), "1.2.3-rc.1");
    assert.equal(clientVersionFromUserAgent("Go-http-client/1.1"), "");
    assert.equal(clientVersionFromUserAgent(null), "");
    assert.equal(clientVersionFromUserAgent("pushprox-ts-client/<script>"), "");
  });
});
