import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { exec, inParallel } from "./build_exec.ts";

describe("build_exec", () => {
  it("exec() returns what the command printed", async () => {
    assert.deepEqual(await exec("sh", ["-c", "echo out; echo err >&2"]), {
      stdout: "out\n",
      stderr: "err\n",
    });
  });

  it("exec() fails with the exit code and the command's stderr", async () => {
    await assert.rejects(exec("sh", ["-c", "echo 'no such target' >&2; exit 3"]), {
      message: /Command "sh -c .*" exited with 3:\n {2}no such target/,
    });
  });

  it("exec() fails clearly for a missing program", async () => {
    await assert.rejects(exec("/nonexistent/tool", []), { message: /Cannot run "\/nonexistent\/tool"/ });
  });

  it("inParallel() never runs more than the limit at once and runs everything", async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await inParallel([1, 2, 3, 4, 5], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      done.push(n);
    });
    assert.equal(peak, 2);
    assert.deepEqual(done.sort(), [1, 2, 3, 4, 5]);
  });

  it("inParallel() rejects with the first failure", async () => {
    await assert.rejects(
      inParallel(
        [1, 2, 3],
        2,
        (n) => n === 2 ? Promise.reject(new RangeError("item 2 broke")) : Promise.resolve(),
      ),
      { name: "RangeError", message: "item 2 broke" },
    );
  });
});
