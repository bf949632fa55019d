/**
 * Every cross-built binary is an executable for the OS and CPU its directory names. Needs a full
 * `npm run build`; fails, naming the missing file, without it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TARGETS } from "../../scripts/build_targets.ts";
import { executablePath, requireBuilt } from "./dist_files.ts";
import { type ExecutableFormat, readExecutableFormat } from "./executable_format.ts";

const EXPECTED: Record<string, ExecutableFormat> = {
  "linux-x64": { format: "ELF", cpu: "x86-64", interpreter: "/lib64/ld-linux-x86-64.so.2" },
  "linux-x64-baseline": { format: "ELF", cpu: "x86-64", interpreter: "/lib64/ld-linux-x86-64.so.2" },
  "linux-arm64": { format: "ELF", cpu: "arm64", interpreter: "/lib/ld-linux-aarch64.so.1" },
  "linux-x64-musl": { format: "ELF", cpu: "x86-64", interpreter: "/lib/ld-musl-x86_64.so.1" },
  "darwin-x64": { format: "Mach-O", cpu: "x86-64", interpreter: null },
  "darwin-arm64": { format: "Mach-O", cpu: "arm64", interpreter: null },
  "windows-x64": { format: "PE32+", cpu: "x86-64", interpreter: null },
};

describe("cross-built executables", () => {
  it("there is an expectation for every target", () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), TARGETS.map((t) => t.name).sort());
  });

  for (const target of TARGETS) {
    const expected = EXPECTED[target.name]!;
    it(`${target.name}/pushprox is ${expected.format} for ${expected.cpu}`, async () => {
      const path = requireBuilt(executablePath(target), "npm run build", true);
      assert.deepEqual(await readExecutableFormat(path), expected);
    });
  }
});
