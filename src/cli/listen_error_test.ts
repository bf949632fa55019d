import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listenFailure } from "./listen_error.ts";

const failure = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe("listenFailure()", () => {
  it("says the same for a busy port whichever runtime worded it", () => {
    const expected = "Cannot listen on 127.0.0.1:8080 (--web.listen-address): address already in use " +
      "(is another copy running?)";
    const bun = failure("Failed to listen at 127.0.0.1", "EADDRINUSE");
    const deno = failure("listen EADDRINUSE: address already in use 127.0.0.1:8080", "EADDRINUSE");
    assert.equal(listenFailure(bun, "127.0.0.1:8080", "web.listen-address"), expected);
    assert.equal(listenFailure(deno, "127.0.0.1:8080", "web.listen-address"), expected);
  });

  it("names the flag it is given and explains other bind errors", () => {
    assert.equal(
      listenFailure(failure("x", "EADDRNOTAVAIL"), "10.9.9.9:9369", "metrics-addr"),
      "Cannot listen on 10.9.9.9:9369 (--metrics-addr): address not available on this host",
    );
    assert.equal(
      listenFailure(failure("x", "EACCES"), ":80", "web.listen-address"),
      "Cannot listen on :80 (--web.listen-address): permission denied (ports below 1024 need privileges)",
    );
  });

  it("keeps the runtime's message for anything else", () => {
    assert.equal(
      listenFailure(failure("TLS key does not match", "ERR_TLS"), ":8080", "web.listen-address"),
      "Cannot listen on :8080 (--web.listen-address): TLS key does not match",
    );
    assert.equal(listenFailure("odd", ":1", "x"), "Cannot listen on :1 (--x): odd");
  });
});
