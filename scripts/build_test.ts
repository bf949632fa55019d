import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseBuildArgs } from "./build.ts";
import { TARGETS } from "./build_targets.ts";

const host = () => TARGETS.find((t) => t.name === "linux-arm64")!;

describe("parseBuildArgs()", () => {
  it("builds every target with archives by default", () => {
    const options = parseBuildArgs([], host);
    assert.notEqual(options, "help");
    if (options === "help") return;
    assert.deepEqual(options.targets.map((t) => t.name), TARGETS.map((t) => t.name));
    assert.equal(options.archives, true);
    assert.equal(options.everything, true);
    assert.equal(options.engine, "bun");
    assert.equal(options.jobs, 2);
  });

  it("--host builds only the machine's own target, without archives, and leaves the rest of dist/", () => {
    const options = parseBuildArgs(["--host"], host);
    assert.deepEqual(
      options !== "help" && [options.targets.map((t) => t.name), options.archives, options.everything],
      [["linux-arm64"], false, false],
    );
  });

  it("--target and --engine are honoured", () => {
    const options = parseBuildArgs(["--target=windows-x64,linux-x64", "--engine=deno"], host);
    assert.deepEqual(options !== "help" && [options.targets.map((t) => t.name), options.engine], [
      ["windows-x64", "linux-x64"],
      "deno",
    ]);
    assert.equal(options !== "help" && options.everything, false);
  });

  it("rejects --host together with --target", () => {
    assert.throws(
      () => parseBuildArgs(["--host", "--target=linux-x64"], host),
      /Cannot combine --host and --target/,
    );
  });

  it("rejects an unknown engine, naming the choices", () => {
    assert.throws(() => parseBuildArgs(["--engine=node"], host), {
      name: "RangeError",
      message: /--engine "node": expected auto, deno or bun/,
    });
  });

  it("rejects a zero job count", () => {
    assert.throws(() => parseBuildArgs(["--jobs=0"], host), { name: "RangeError", message: /--jobs "0"/ });
  });

  it("rejects an unknown flag", () => {
    assert.throws(() => parseBuildArgs(["--targets=linux-x64"], host), TypeError);
  });

  it("-h asks for help", () => {
    assert.equal(parseBuildArgs(["-h"], host), "help");
  });
});
