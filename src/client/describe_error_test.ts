import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeError } from "./describe_error.ts";

describe("describeError()", () => {
  it("describeError() names a refused connection the same way on every runtime", () => {
    const nodeStyle = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9100"), {
      code: "ECONNREFUSED",
    });
    const wrapped = new TypeError("fetch failed", { cause: nodeStyle });
    assert.equal(describeError(nodeStyle), "connection refused");
    assert.equal(describeError(wrapped), "connection refused");
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
