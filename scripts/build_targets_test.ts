import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hostTarget, parseTargets, TARGETS } from "./build_targets.ts";

describe("build_targets", () => {
  it("TARGETS lists the seven release targets", () => {
    assert.deepEqual(TARGETS.map((t) => t.name), [
      "linux-x64",
      "linux-x64-baseline",
      "linux-arm64",
      "darwin-x64",
      "darwin-arm64",
      "windows-x64",
      "linux-x64-musl",
    ]);
  });

  it("only Windows gets .exe and a zip", () => {
    for (const t of TARGETS) {
      const windows = t.name.startsWith("windows-");
      assert.equal(t.exeSuffix, windows ? ".exe" : "", t.name);
      assert.equal(t.archive, windows ? "zip" : "tar.gz", t.name);
    }
  });

  it("parseTargets() keeps the order given and drops repeats", () => {
    assert.deepEqual(parseTargets("linux-arm64, linux-x64,linux-arm64").map((t) => t.name), [
      "linux-arm64",
      "linux-x64",
    ]);
  });

  it("parseTargets() rejects an unknown target and lists the known ones", () => {
    assert.throws(() => parseTargets("linux-x64,freebsd-x64"), {
      name: "RangeError",
      message: /unknown target "freebsd-x64" \(known: linux-x64, linux-x64-baseline, linux-arm64/,
    });
  });

  it("parseTargets() rejects an empty list", () => {
    assert.throws(() => parseTargets(" , "), { name: "RangeError", message: /the list is empty/ });
  });

  it("hostTarget() maps node's platform and arch names to ours", () => {
    assert.equal(hostTarget({ platform: "win32", arch: "x64", musl: false }).name, "windows-x64");
    assert.equal(hostTarget({ platform: "darwin", arch: "arm64", musl: false }).name, "darwin-arm64");
    assert.equal(hostTarget({ platform: "linux", arch: "x64", musl: true }).name, "linux-x64-musl");
  });

  it("hostTarget() rejects a machine we ship nothing for", () => {
    assert.throws(() => hostTarget({ platform: "linux", arch: "riscv64", musl: false }), {
      name: "RangeError",
      message: /no target "linux-riscv64"/,
    });
  });
});
