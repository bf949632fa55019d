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
  it("writeArchive() packs a tar.gz under one top directory: the executable once, proxy and client as links", async () => {
    await withDist(async (dist) => {
      await writeFile(join(dist, "p"), "#!/bin/sh\n", { mode: 0o755 });
      await writeFile(join(dist, "L"), "license\n");
      const [target] = parseTargets("linux-arm64");
      const file = await writeArchive(dist, "9.9.9", target, [{ from: join(dist, "p"), name: "pushprox" }, {
        from: join(dist, "L"),
        name: "LICENSE",
      }]);
      assert.equal(file, "pushprox-9.9.9.linux-arm64.tar.gz");
      const listing = execFileSync("tar", ["tzvf", join(dist, file)], { encoding: "utf8" });
      const dir = "pushprox-9\\.9\\.9\\.linux-arm64";
      assert.match(listing, / pushprox-9\.9\.9\.linux-arm64\/LICENSE$/m);
      // One regular file holds the bytes; the other two names link to it, executable bit kept.
      const stored = listing.split("\n").filter((line) => /^-rwxr-xr-x 0\/0 /.test(line));
      const links = listing.split("\n").filter((line) => /^hrwxr-xr-x 0\/0 .* link to /.test(line));
      assert.equal(stored.length, 1, listing);
      assert.equal(links.length, 2, listing);
      for (const name of ["proxy", "client"]) {
        assert.match(listing, new RegExp(`${dir}/${name} link to ${dir}/pushprox$`, "m"));
      }
    });
  });

  it("writeArchive() makes a zip for Windows with a .cmd per program", async () => {
    await withDist(async (dist) => {
      await writeFile(join(dist, "p"), "MZ");
      const [target] = parseTargets("windows-x64");
      const file = await writeArchive(dist, "9.9.9", target, [{
        from: join(dist, "p"),
        name: "pushprox.exe",
      }]);
      assert.equal(file, "pushprox-9.9.9.windows-x64.zip");
      const names = execFileSync("unzip", ["-Z1", join(dist, file)], { encoding: "utf8" }).trim().split("\n");
      assert.deepEqual(names.filter((n) => !n.endsWith("/")).sort(), [
        "pushprox-9.9.9.windows-x64/client.cmd",
        "pushprox-9.9.9.windows-x64/proxy.cmd",
        "pushprox-9.9.9.windows-x64/pushprox.exe",
      ]);
      const cmd = execFileSync("unzip", ["-p", join(dist, file), "pushprox-9.9.9.windows-x64/client.cmd"], {
        encoding: "utf8",
      });
      assert.equal(cmd, '@"%~dp0pushprox.exe" client %*\r\n');
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
