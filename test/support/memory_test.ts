import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import process from "node:process";
import { parseProcStatus, readMemory, resetPeak } from "./memory.ts";
import { ProcessSet } from "./process.ts";
import { waitFor } from "./wait.ts";

const MiB = 1024 * 1024;

/** A pid no process can have (above the kernel's pid_max ceiling of 2^22). */
const NO_SUCH_PID = 2 ** 22 + 7;

describe("memory", () => {
  const procs = new ProcessSet();
  after(() => procs.cleanup());

  it("parseProcStatus() reads VmRSS and VmHWM in bytes", () => {
    const text =
      "Name:\tproxy\nVmPeak:\t  999999 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t4\n";
    assert.deepEqual(parseProcStatus(text), { rssBytes: 10 * MiB, peakBytes: 20 * MiB });
  });

  it("parseProcStatus() rejects a status without VmRSS, naming the field and the file", () => {
    assert.throws(
      () => parseProcStatus("Name:\tkthreadd\nState:\tS (sleeping)\n", "/proc/2/status"),
      (error: unknown) =>
        error instanceof SyntaxError && /Cannot read VmRSS from \/proc\/2\/status/.test(error.message),
    );
  });

  it("parseProcStatus() rejects a value that is not a number of kB", () => {
    assert.throws(
      () => parseProcStatus("VmHWM:\t 12 MB\nVmRSS:\t 10 kB\n"),
      (error: unknown) =>
        error instanceof SyntaxError && /VmHWM/.test(error.message) && /12 MB/.test(error.message),
    );
  });

  it("readMemory() sees this process' resident memory, its peak at least as high", () => {
    const memory = readMemory(process.pid);
    assert.ok(memory.rssBytes > MiB, `VmRSS of a JavaScript runtime is ${memory.rssBytes} bytes`);
    assert.ok(memory.peakBytes >= memory.rssBytes, JSON.stringify(memory));
  });

  it("readMemory() of a process that does not exist names its /proc path", () => {
    assert.throws(() => readMemory(NO_SUCH_PID), new RegExp(`Cannot read /proc/${NO_SUCH_PID}/status`));
  });

  it("resetPeak() brings a process' peak back down to what it holds now", async () => {
    // perl allocates 80 MB, frees it (glibc returns a block that large to the OS) and sleeps: its peak
    // stays high while its resident memory falls, which is exactly what a reset must undo. `$| = 1` makes
    // its line arrive at once instead of at exit.
    const perl = procs.spawn({
      name: "perl",
      command: "perl",
      args: [
        "-e",
        '$| = 1; { my $x = "a" x $ARGV[0]; print length($x), "\\n"; undef $x; } sleep 30',
        String(80e6),
      ],
    });
    const pid = perl.pid;
    assert.ok(pid !== undefined, perl.logs());
    const raised = await waitFor(() => perl.stdout.includes("80000000") && readMemory(pid), {
      timeoutMs: 10_000,
      what: "perl to allocate and free 80 MB",
      details: () => perl.logs(),
    });
    assert.ok(raised.peakBytes > 70 * MiB, `peak before the reset: ${raised.peakBytes} bytes`);
    assert.ok(raised.rssBytes < 40 * MiB, `resident after freeing: ${raised.rssBytes} bytes`);

    resetPeak(pid);
    const reset = readMemory(pid);
    assert.ok(reset.peakBytes < 40 * MiB, `peak after the reset: ${reset.peakBytes} bytes`);
    await perl.kill9();
  });

  it("resetPeak() of a process that does not exist says the peak cannot be reset", () => {
    assert.throws(
      () => resetPeak(NO_SUCH_PID),
      new RegExp(
        `Cannot reset the peak memory of process ${NO_SUCH_PID}: writing 5 to /proc/${NO_SUCH_PID}/clear_refs failed`,
      ),
    );
  });
});
