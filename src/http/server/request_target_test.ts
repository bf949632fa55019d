import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAbsoluteForm, requestUrl } from "./request_target.ts";
import { WireError } from "../../wire/types.ts";

const base = { method: "GET", version: "HTTP/1.1", tls: false } as const;

describe("requestUrl()", () => {
  it("requestUrl() takes the path from the request line and only the authority from Host", () => {
    assert.equal(
      requestUrl({ ...base, target: "/metrics?x=1", host: "proxy:8080" }),
      "http://proxy:8080/metrics?x=1",
    );
    assert.equal(requestUrl({ ...base, target: "/poll", host: "p", tls: true }), "https://p/poll");
  });

  it("requestUrl() keeps an absolute-form target whatever Host says", () => {
    const target = "http://db1:9100/metrics";
    assert.ok(isAbsoluteForm(target));
    assert.equal(requestUrl({ ...base, target, host: "anything/at all" }), target);
  });

  it("requestUrl() refuses a Host that would move the path, and two Host headers joined", () => {
    for (const host of ["x/metrics?", "x/poll?", "x#y", "u@x", "a, b", "x\\y"]) {
      assert.throws(
        () => requestUrl({ ...base, target: "/anything", host }),
        (e) => e instanceof WireError && /malformed Host header/.test(e.message),
        host,
      );
    }
  });

  it("requestUrl() refuses HTTP/1.1 without Host and a target in no known form", () => {
    assert.throws(() => requestUrl({ ...base, target: "/", host: null }), /without a Host/);
    assert.throws(() => requestUrl({ ...base, target: "metrics", host: "p" }), /unsupported request target/);
    assert.equal(requestUrl({ ...base, method: "OPTIONS", target: "*", host: "p" }), "http://p/*");
  });
});
