import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bunDefines, stampSource, writeDenoImportMap } from "./build_stamp.ts";

const buildInfoPath = fileURLToPath(new URL("../src/build_info.ts", import.meta.url));
const stamp = { PUSHPROX_BUILD_ENGINE: "deno", PUSHPROX_BUILD_TARGET: "darwin-arm64" };

describe("build_stamp", () => {
  it("bunDefines() turns each value into a JSON string literal", () => {
    assert.deepEqual(bunDefines(stamp), [
      "--define",
      'PUSHPROX_BUILD_ENGINE="deno"',
      "--define",
      'PUSHPROX_BUILD_TARGET="darwin-arm64"',
    ]);
  });

  it("stampSource() makes the real build_info.ts report the stamped engine and target", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stamp-test-"));
    try {
      const mapPath = await writeDenoImportMap(
        dir,
        buildInfoPath,
        await readFile(buildInfoPath, "utf8"),
        stamp,
      );
      const map = JSON.parse(await readFile(mapPath, "utf8"));
      const stampedUrl = map.imports[pathToFileURL(buildInfoPath).href];
      assert.equal(typeof stampedUrl, "string", "the import map redirects src/build_info.ts");
      const stamped = await import(stampedUrl);
      assert.deepEqual({ ...stamped.BUILD_INFO }, { engine: "deno", target: "darwin-arm64" });
      assert.equal(stamped.describeBuild("deno", "2.9.6"), "deno 2.9.6, darwin-arm64");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stampSource() rejects a source that lacks a declaration, naming it", () => {
    assert.throws(
      () => stampSource("declare const PUSHPROX_BUILD_ENGINE: string;\n", stamp),
      (error: unknown) => error instanceof SyntaxError && /PUSHPROX_BUILD_TARGET/.test(error.message),
    );
  });

  it("stampSource() leaves identifiers that merely start with a stamped name alone", () => {
    const source =
      "declare const PUSHPROX_BUILD_ENGINE: string;\ndeclare const PUSHPROX_BUILD_TARGET: string;\n" +
      "const a = PUSHPROX_BUILD_ENGINE; const PUSHPROX_BUILD_ENGINE_X = 1;\n";
    assert.equal(stampSource(source, stamp), 'const a = "deno"; const PUSHPROX_BUILD_ENGINE_X = 1;\n');
  });
});
