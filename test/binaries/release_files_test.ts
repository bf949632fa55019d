/**
 * What a user downloads: every archive holds the two programs, LICENSE and README.md under one
 * directory, and `sha256sum -c SHA256SUMS` passes for every archive and binary. Needs a full
 * `npm run build`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { archiveBaseName } from "../../scripts/build_archive.ts";
import { TARGETS } from "../../scripts/build_targets.ts";
import { archivePath, binaryPath, DIST, requireBuilt } from "./dist_files.ts";

function listArchive(path: string, zip: boolean): string[] {
  const listing = zip
    ? execFileSync("unzip", ["-Z1", path], { encoding: "utf8" })
    : execFileSync("tar", ["-tzf", path], { encoding: "utf8" });
  return listing.split("\n").filter((line) => line !== "" && !line.endsWith("/")).sort();
}

describe("release files", () => {
  for (const target of TARGETS) {
    it(`the ${target.name} archive holds proxy, client, LICENSE and README.md`, { timeout: 60_000 }, () => {
      const path = requireBuilt(archivePath(target));
      const dir = archiveBaseName(VERSION, target);
      const exe = target.exeSuffix;
      assert.deepEqual(listArchive(path, target.archive === "zip"), [
        `${dir}/LICENSE`,
        `${dir}/README.md`,
        `${dir}/client${exe}`,
        `${dir}/proxy${exe}`,
      ]);
    });
  }

  // Hashing ~1.3 GB takes several seconds: more than bun's default test timeout.
  it("SHA256SUMS lists every archive and binary, and sha256sum -c accepts it", { timeout: 120_000 }, () => {
    const sums = readFileSync(requireBuilt(join(DIST, "SHA256SUMS")), "utf8");
    const listed = sums.trimEnd().split("\n").map((line) => line.replace(/^[0-9a-f]{64} {2}/, "")).sort();
    const expected = TARGETS.flatMap((t) => [
      `${t.name}/client${t.exeSuffix}`,
      `${t.name}/proxy${t.exeSuffix}`,
      archivePath(t).slice(DIST.length + 1),
    ]).sort();
    assert.deepEqual(listed, expected);
    for (const t of TARGETS) requireBuilt(binaryPath(t, "proxy"));
    const report = execFileSync("sha256sum", ["--strict", "-c", "SHA256SUMS"], {
      cwd: DIST,
      encoding: "utf8",
    });
    assert.equal(
      report.trimEnd().split("\n").filter((line) => line.endsWith(": OK")).length,
      expected.length,
    );
  });
});
