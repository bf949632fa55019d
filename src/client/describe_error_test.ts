import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeError, isUnreachable } from "./describe_error.ts";

describe("describeError()", () => {
  it("describeError() names a refused connection the same way on every runtime", () => {
    const nodeStyle = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9100"), {
      code: "ECONNREFUSED",
    });
    const wrapped = new TypeError("fetch failed", { cause: nodeStyle });
    assert.equal(describeError(nodeStyle), "connection refused");
    assert.equal(describeError(wrapped), "connection refused");
  });

  it("describeError() names a failed lookup the same way on every runtime", () => {
    const bunStyle = Object.assign(new Error("getaddrinfo ENOTFOUND h1.invalid"), { code: "ENOTFOUND" });
    const denoStyle = new Error("failed to lookup address information: Name or service not known");
    assert.equal(describeError(bunStyle), "no such host");
    assert.equal(describeError(denoStyle), "no such host");
    assert.equal(
      describeError(new Error("failed to lookup address information: Temporary failure in name resolution")),
      "temporary failure in name resolution",
    );
  });

  it("isUnreachable() tells a target never reached from one that broke off", () => {
    assert.equal(isUnreachable("connection refused"), true);
    assert.equal(isUnreachable("no such host"), true);
    assert.equal(isUnreachable("connection reset by peer"), false);
  });

  it("describeError() falls back to the outermost message", () => {
    assert.equal(
      describeError(new TypeError("invalid response from http://h:9100")),
      "invalid response from http://h:9100",
    );
  });

  it("describeError() describes a thrown non-error value", () => {
    assert.equal(describeError("boom"), "boom");
    assert.equal(describeError(undefined), "unknown error");
  });
});
