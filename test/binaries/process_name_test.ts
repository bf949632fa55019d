/**
 * The compiled client re-executes itself once at start (src/runtime/bun/tuning.ts); afterwards the
 * process must still look like what the operator started: `ps`, `/proc/PID/cmdline`, `pidof` and
 * `pgrep -f <path>` find it under the name and path they ran, whether that is the `client` link, an
 * installed name such as `pushprox-client`, or `pushprox client`.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProcessSet } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";
import { binaryPath, executablePath, requireBuilt, thisMachine } from "./dist_files.ts";

const target = thisMachine();
const procs = new ProcessSet();
const scratch = mkdtempSync(join(tmpdir(), "pushprox-names-"));
after(async () => {
  await procs.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** Nothing listens on port 1: the client keeps retrying its poll, which is all this test needs. */
const CLIENT_ARGS = ["--proxy-url=http://127.0.0.1:1/", "--fqdn=127.0.0.1", "--metrics-addr="];

/** Starts a client and waits until its one re-execution has happened (its tuning variable is set). */
async function startClient(command: string, args: string[]): Promise<number> {
  const child = procs.spawn({ name: `client as ${command}`, command, args });
  const pid = child.pid!;
  await waitFor(() => readFileSync(`/proc/${pid}/environ`, "latin1").includes("MIMALLOC_PURGE_DELAY="), {
    timeoutMs: 10_000,
    what: "the client to re-execute itself with its tuning",
    details: () => child.logs(),
  });
  return pid;
}

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
const psArgs = (pid: number) =>
  execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim();
const pids = (tool: string, args: string[]): number[] => {
  try {
    return execFileSync(tool, args, { encoding: "utf8" }).trim().split(/\s+/).map(Number);
  } catch {
    return []; // pidof and pgrep exit 1 when they find nothing
  }
};

describe(`${target.name} process names`, () => {
  it("started as .../client: ps, cmdline, pidof client and pgrep -f <path> find it", async () => {
    const path = requireBuilt(binaryPath(target, "client"), "npm run build -- --host", true);
    const pid = await startClient(path, CLIENT_ARGS);
    assert.deepEqual(cmdline(pid), [path, ...CLIENT_ARGS]);
    assert.equal(psArgs(pid), [path, ...CLIENT_ARGS].join(" "));
    assert.ok(pids("pidof", ["client"]).includes(pid), `pidof client finds ${pid}`);
    assert.ok(pids("pgrep", ["-f", path]).includes(pid), `pgrep -f ${path} finds ${pid}`);
  });

  it("started through an installed name (a symlink pushprox-client): still that name, still the client", async () => {
    const path = join(scratch, "pushprox-client");
    symlinkSync(requireBuilt(executablePath(target), "npm run build -- --host", true), path);
    const pid = await startClient(path, CLIENT_ARGS);
    assert.deepEqual(cmdline(pid), [path, ...CLIENT_ARGS]);
    assert.ok(pids("pgrep", ["-f", path]).includes(pid), `pgrep -f ${path} finds ${pid}`);
  });

  it("started as pushprox client: ps shows exactly that", async () => {
    const path = requireBuilt(executablePath(target), "npm run build -- --host", true);
    const pid = await startClient(path, ["client", ...CLIENT_ARGS]);
    assert.equal(psArgs(pid), [path, "client", ...CLIENT_ARGS].join(" "));
    assert.ok(pids("pidof", ["pushprox"]).includes(pid), `pidof pushprox finds ${pid}`);
  });
});
