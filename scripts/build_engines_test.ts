import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineFor, probeDenoCompile } from "./build_engines.ts";
import { parseTargets } from "./build_targets.ts";

/** A stand-in `deno` executable (a shell script) for probing without the real one. */
async function fakeDeno(script: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "fake-deno-"));
  const path = join(dir, "deno");
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

describe("build_engines", () => {
  it("engineFor() sends musl to bun even when deno is preferred", () => {
    const [gnu, musl] = parseTargets("linux-x64,linux-x64-musl");
    assert.equal(engineFor(gnu, "deno"), "deno");
    assert.equal(engineFor(musl, "deno"), "bun");
    assert.equal(engineFor(gnu, "bun"), "bun");
  });

  it("probeDenoCompile() reports the download error of an offline deno", async () => {
    const deno = await fakeDeno(
      'echo "error: Writing deno compile executable" >&2\n' +
        'echo "    0: error sending request for url (https://example.invalid/denort.zip): dns error" >&2\nexit 1',
    );
    try {
      const probe = await probeDenoCompile(deno.path, "x86_64-unknown-linux-gnu");
      assert.deepEqual(probe, {
        ok: false,
        reason: "error sending request for url (https://example.invalid/denort.zip): dns error",
      });
    } finally {
      await deno.cleanup();
    }
  });

  it("probeDenoCompile() gives up on a deno that hangs", async () => {
    const deno = await fakeDeno("sleep 30");
    try {
      const started = Date.now();
      const probe = await probeDenoCompile(deno.path, "x86_64-unknown-linux-gnu", 300);
      assert.equal(probe.ok, false);
      assert.match(probe.ok ? "" : probe.reason, /timed out after 300 ms/);
      assert.ok(Date.now() - started < 5000, "the probe stops at its timeout");
    } finally {
      await deno.cleanup();
    }
  });

  it("probeDenoCompile() succeeds when deno compile does", async () => {
    const deno = await fakeDeno("exit 0");
    try {
      assert.deepEqual(await probeDenoCompile(deno.path, "x86_64-unknown-linux-gnu"), { ok: true });
    } finally {
      await deno.cleanup();
    }
  });
});
