/**
 * The systemd recipes (scripts/recipes/systemd/): `systemd-analyze verify` finds nothing to say about them,
 * and `systemd-analyze security` rates their hardening "OK" (exposure 2.0 or less on its 0-10 scale).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { readRecipe, substitute } from "../support/recipes.ts";
import { requireDebianBinary } from "../support/prometheus.ts";

const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
/** Tenths, as `--threshold` counts: "OK" in systemd's words. */
const MAX_EXPOSURE = 20;

describe("systemd recipes", () => {
  const h = new Harness();
  after(() => h.cleanup());

  /**
   * The unit in a temp dir, its ExecStart pointing at a stand-in executable there (verify checks that the
   * program exists; the units name /usr/local/bin, where an install puts the binaries).
   */
  async function rendered(program: "proxy" | "client"): Promise<string> {
    requireDebianBinary(SYSTEMD_ANALYZE, "systemd");
    const dir = await h.tempDir(`systemd-${program}`);
    const binary = join(dir, `pushprox-${program}`);
    await writeFile(binary, "#!/bin/sh\nexit 0\n");
    await chmod(binary, 0o755);
    const unit = readRecipe(`systemd/pushprox-${program}.service`);
    const file = join(dir, `pushprox-${program}.service`);
    await writeFile(file, substitute(unit, `/usr/local/bin/pushprox-${program}`, binary));
    return file;
  }

  for (const program of ["proxy", "client"] as const) {
    it(`pushprox-${program}.service passes systemd-analyze verify without a warning`, async () => {
      const result = spawnSync(SYSTEMD_ANALYZE, ["verify", "--man=no", await rendered(program)], {
        encoding: "utf8",
      });
      assert.equal(result.status, 0, result.stderr);
      // verify exits 0 even for unknown keys or bad values; it only warns.
      assert.equal(`${result.stdout}${result.stderr}`.trim(), "");
    });

    it(`pushprox-${program}.service is rated OK by systemd-analyze security`, async () => {
      const result = spawnSync(
        SYSTEMD_ANALYZE,
        ["security", "--offline=yes", `--threshold=${MAX_EXPOSURE}`, "--no-pager", await rendered(program)],
        { encoding: "utf8" },
      );
      const verdict = result.stdout.trim().split("\n").pop() ?? "";
      assert.equal(result.status, 0, `exposure above ${MAX_EXPOSURE / 10}: ${verdict}\n${result.stderr}`);
      assert.match(verdict, /Overall exposure level for pushprox-\w+\.service: [0-2]\.\d OK/);
    });
  }
});
