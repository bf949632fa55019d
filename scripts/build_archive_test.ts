import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeArchive, writeChecksums } from "./build_archive.ts";
import { parseTargets } from "./build_targets.ts";

async function withDist(work: (dist: string) => Promise<void>): Promise<void> {
  const dist = await mkdtemp(join(tmpdir(), "archive-test-"));
  try {
    await work(dist);
  } finally {
    await rm(dist, { recursive: true, force: true });
  }
}

describe("build_archive", () => {
  it("writeArchive() packs a tar.gz under one top directory, executable bit kept", async () => {
    await withDist(async (dist) => {
      await writeFile(join(dist, "p"), "#!/bin/sh\n", { mode: 0o755 });
      await writeFile(join(dist, "L"), "license\n");
      const [target] = parseTargets("linux-arm64");
      const file = await writeArchive(dist, "9.9.9", target, [{ from: join(dist, "p"), name: "proxy" }, {
        from: join(dist, "L"),
        name: "LICENSE",
      }]);
      assert.equal(file, "pushprox-9.9.9.linux-arm64.tar.gz");
      const listing = execFileSync("tar", ["tzvf", join(dist, file)], { encoding: "utf8" });
      assert.match(listing, /^-rwxr-xr-x 0\/0 .* pushprox-9\.9\.9\.linux-arm64\/proxy$/m);
      assert.match(listing, / pushprox-9\.9\.9\.linux-arm64\/LICENSE$/m);
    });
  });

  it("writeArchive() makes a zip for Windows", async () => {
    await withDist(async (dist) => {
      await writeFile(join(dist, "p"), "MZ");
      const [target] = parseTargets("windows-x64");
      const file = await writeArchive(dist, "9.9.9", target, [{ from: join(dist, "p"), name: "proxy.exe" }]);
      assert.equal(file, "pushprox-9.9.9.windows-x64.zip");
      const listing = execFileSync("unzip", ["-l", join(dist, file)], { encoding: "utf8" });
      assert.match(listing, /pushprox-9\.9\.9\.windows-x64\/proxy\.exe/);
    });
  });

  it("writeChecksums() writes a file that sha256sum -c accepts", async () => {
    await withDist(async (dist) => {
      await mkdir(join(dist, "linux-x64"));
      await writeFile(join(dist, "linux-x64", "proxy"), "abc");
      await writeFile(join(dist, "a.tar.gz"), "");
      await writeChecksums(dist, ["linux-x64/proxy", "a.tar.gz"]);
      assert.equal(
        await readFile(join(dist, "SHA256SUMS"), "utf8"),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.tar.gz\n" +
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  linux-x64/proxy\n",
      );
      assert.match(
        execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dist, encoding: "utf8" }),
        /proxy: OK/,
      );
    });
  });
});
