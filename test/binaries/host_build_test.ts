/**
 * `npm run build -- --host` replaces this machine's target and leaves every other target's files in
 * dist/ alone (it used to empty dist/ first), and SHA256SUMS still covers all of them. Runs the real
 * build (bun build --compile, a few seconds) into a scratch directory.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { build, parseBuildArgs } from "../../scripts/build.ts";
import { archiveBaseName } from "../../scripts/build_archive.ts";
import { parseTargets } from "../../scripts/build_targets.ts";
import { REPO_ROOT } from "../support/paths.ts";
import { thisMachine } from "./dist_files.ts";

const dist = mkdtempSync(join(tmpdir(), "pushprox-host-build-"));
after(() => rmSync(dist, { recursive: true, force: true }));

describe("build --host", () => {
  it("rebuilds only this machine's target and keeps the others, with SHA256SUMS over all", {
    timeout: 120_000,
  }, async () => {
    const host = thisMachine();
    const [other] = parseTargets(host.name === "darwin-arm64" ? "linux-x64" : "darwin-arm64");
    const otherArchive = `${archiveBaseName(VERSION, other)}.${other.archive}`;
    mkdirSync(join(dist, other.name));
    writeFileSync(join(dist, other.name, "pushprox"), "built earlier");
    writeFileSync(join(dist, otherArchive), "packed earlier");
    // A stale archive of the host target would no longer hold the new binary: it must go.
    const staleArchive = `${archiveBaseName(VERSION, host)}.${host.archive}`;
    writeFileSync(join(dist, staleArchive), "stale");

    const options = parseBuildArgs(["--host"], () => host);
    assert.notEqual(options, "help");
    if (options !== "help") await build(REPO_ROOT, options, dist);

    assert.equal(readFileSync(join(dist, other.name, "pushprox"), "utf8"), "built earlier");
    assert.equal(readFileSync(join(dist, otherArchive), "utf8"), "packed earlier");
    assert.equal(existsSync(join(dist, staleArchive)), false);
    for (const name of ["pushprox", "proxy", "client"]) {
      assert.ok(existsSync(join(dist, host.name, name)), name);
    }
    const version = execFileSync(join(dist, host.name, "proxy"), ["--version"], { encoding: "utf8" });
    assert.match(version, new RegExp(`^proxy ${VERSION.replaceAll(".", "\\.")} `));
    const sums = execFileSync("sha256sum", ["--strict", "-c", "SHA256SUMS"], { cwd: dist, encoding: "utf8" });
    assert.deepEqual(
      sums.trim().split("\n").sort(),
      [
        `${host.name}/pushprox: OK`,
        `${other.name}/pushprox: OK`,
        `${otherArchive}: OK`,
      ].sort(),
    );
  });
});
