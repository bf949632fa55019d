import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requireDebianBinary } from "./prometheus.ts";

describe("requireDebianBinary()", () => {
  it("names the Debian package to install when the binary is missing", () => {
    assert.throws(
      () => requireDebianBinary("/nonexistent/prometheus", "prometheus"),
      /\/nonexistent\/prometheus not found: install the Debian package "prometheus"/,
    );
  });
});
