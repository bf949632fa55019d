/**
 * The binaries for this machine (`npm run build -- --host`, or a full build) start and answer
 * `--version` and `--help` the way a user typing them would expect.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { VERSION } from "../../src/version.ts";
import { ProcessSet } from "../support/process.ts";
import { binaryPath, requireBuilt, thisMachine } from "./dist_files.ts";

const target = thisMachine();
const procs = new ProcessSet();
after(() => procs.cleanup());

async function run(program: "proxy" | "client", args: string[]) {
  const path = requireBuilt(binaryPath(target, program), "npm run build -- --host", true);
  const child = procs.spawn({ name: program, command: path, args });
  const status = await child.waitForExit(30_000);
  return { ...status, stdout: child.stdout, stderr: child.stderr, logs: child.logs() };
}

describe(`${target.name} binaries`, () => {
  for (const [program, flag] of [["proxy", "--web.listen-address"], ["client", "--proxy-url"]] as const) {
    it(`${program} --version names the version, runtime and target`, { timeout: 60_000 }, async () => {
      const result = await run(program, ["--version"]);
      assert.equal(result.code, 0, result.logs);
      const escaped = VERSION.replaceAll(".", "\\.");
      assert.match(
        result.stdout,
        new RegExp(`^${program} ${escaped} \\((bun|deno) \\d+\\.\\d+\\.\\d+, ${target.name}\\)\\n$`),
      );
    });

    it(`${program} --help lists its flags and exits 0`, { timeout: 60_000 }, async () => {
      const result = await run(program, ["--help"]);
      assert.equal(result.code, 0, result.logs);
      assert.ok(result.stdout.includes(flag), `--help mentions ${flag}\n${result.logs}`);
    });
  }
});
