import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BUILD_INFO, describeBuild, versionLine } from "./build_info.ts";

describe("build_info", () => {
  it("BUILD_INFO is all nulls when run from source", () => {
    assert.deepEqual({ ...BUILD_INFO }, { engine: null, target: null });
  });

  it("describeBuild() names the runtime and the target of a compiled binary", () => {
    assert.equal(
      describeBuild("bun", "1.4.5", { engine: "bun", target: "linux-x64" }),
      "bun 1.4.5, linux-x64",
    );
  });

  it('describeBuild() says "from source" when there is no target', () => {
    assert.equal(describeBuild("deno", "2.9.6", { engine: null, target: null }), "deno 2.9.6, from source");
  });

  it("describeBuild() defaults to this program's own build facts", () => {
    assert.equal(describeBuild("deno", "2.9.6"), "deno 2.9.6, from source");
  });

  it("versionLine() gives the whole --version line", () => {
    assert.equal(
      versionLine("proxy", "0.1.0", "bun", "1.4.5", { engine: "bun", target: "darwin-arm64" }),
      "proxy 0.1.0 (bun 1.4.5, darwin-arm64)",
    );
  });
});
