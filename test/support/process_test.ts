import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProcessSet } from "./process.ts";

describe("ProcessSet", () => {
  it("reports exit code 0 for a program that catches SIGTERM and exits cleanly", async () => {
    const procs = new ProcessSet();
    const child = procs.spawn({
      name: "trapper",
      command: "bash",
      // Builtins only: a child of the shell would outlive it as an orphan.
      args: ["-c", "trap 'echo bye; exit 0' TERM; echo ready; while :; do :; done"],
    });
    while (!child.stdout.includes("ready")) await new Promise((resolve) => setTimeout(resolve, 20));
    const status = await child.stop();
    assert.deepEqual(status, { code: 0, signal: null });
    assert.match(child.stdout, /bye/);
  });

  it("cleanup() kills a process that ignores SIGTERM after the grace period", async () => {
    const procs = new ProcessSet();
    const child = procs.spawn({
      name: "stubborn",
      command: "bash",
      // An ignored signal stays ignored across exec, so sleep itself shrugs off SIGTERM.
      args: ["-c", "trap '' TERM; echo ready; exec sleep 30"],
    });
    while (!child.stdout.includes("ready")) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await procs.cleanup(300);
    assert.equal(child.status?.signal, "SIGKILL");
    assert.ok(Date.now() - started < 3000);
  });

  it("says why a program could not start, without throwing", async () => {
    const procs = new ProcessSet();
    const child = procs.spawn({ name: "ghost", command: "/nonexistent/pushprox-ghost", args: [] });
    await child.exited;
    assert.match(child.deathReason() ?? "", /could not start \/nonexistent\/pushprox-ghost/);
    await procs.cleanup();
  });
});
