import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { declaredLength, headerContentLength, responseFraming, statusAllowsBody } from "./framing.ts";
import { WireError } from "./types.ts";

const malformed = (pattern: RegExp) => (e: unknown) =>
  e instanceof WireError && e.reason === "malformed" && pattern.test(e.message);

describe("responseFraming()", () => {
  it("picks chunked, content-length or until-eof from the headers", () => {
    assert.deepEqual(responseFraming(200, [["transfer-encoding", " Chunked "]]), {
      framing: "chunked",
      contentLength: null,
    });
    assert.deepEqual(responseFraming(200, [["Content-Length", "1024"]]), {
      framing: "content-length",
      contentLength: 1024,
    });
    assert.deepEqual(responseFraming(500, [["Id", "x"]]), { framing: "until-eof", contentLength: null });
  });

  it("gives 1xx, 204 and 304 no body whatever the headers say", () => {
    for (const status of [100, 101, 204, 304]) {
      assert.deepEqual(responseFraming(status, [["Content-Length", "5"]]), {
        framing: "none",
        contentLength: null,
      });
      assert.equal(statusAllowsBody(status), false);
    }
  });

  it("rejects Content-Length together with Transfer-Encoding", () => {
    assert.throws(
      () => responseFraming(200, [["Transfer-Encoding", "chunked"], ["Content-Length", "3"]]),
      malformed(/both/),
    );
  });

  it("rejects transfer codings other than chunked", () => {
    assert.throws(() => responseFraming(200, [["Transfer-Encoding", "gzip"]]), malformed(/"gzip"/));
    assert.throws(
      () => responseFraming(200, [["Transfer-Encoding", "gzip, chunked"]]),
      malformed(/only chunked/),
    );
    assert.throws(
      () => responseFraming(200, [["Transfer-Encoding", "chunked"], ["Transfer-Encoding", "chunked"]]),
      malformed(/Transfer-Encoding/),
    );
  });
});

describe("declaredLength()", () => {
  it("accepts repeats of one value, as lines or a list", () => {
    assert.equal(declaredLength(["42", "42, 042"]), 42);
    assert.equal(declaredLength([]), null);
    assert.equal(declaredLength(["0"]), 0);
  });

  it("rejects different values", () => {
    assert.throws(() => declaredLength(["42", "43"]), malformed(/conflicting Content-Length/));
    assert.throws(() => declaredLength(["1, 2"]), malformed(/conflicting/));
  });

  it("rejects values that are not plain decimal numbers", () => {
    for (const bad of ["", "-1", "+1", "1e3", "0x10", "12abc", "1 2", "9".repeat(16)]) {
      assert.throws(() => declaredLength([bad]), malformed(/malformed Content-Length/), bad);
    }
  });
});

describe("headerContentLength()", () => {
  it("reads Content-Length, and gives null without one", () => {
    assert.equal(headerContentLength(new Headers({ "content-length": "3" })), 3);
    assert.equal(headerContentLength(new Headers()), null);
  });
});
