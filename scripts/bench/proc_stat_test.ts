import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { cpuMs, parseCpuMs, parseStatusBytes, rssBytes } from "./proc_stat.ts";

describe("proc_stat", () => {
  it("parseCpuMs() adds utime and stime even when the command name holds spaces and parentheses", () => {
    const stat = "42 (my (odd) proc) S 1 42 42 0 -1 4194304 100 0 0 0 7 3 0 0 20 0 1 0";
    assert.equal(parseCpuMs(stat), 100);
  });

  it("parseStatusBytes() reads VmHWM in bytes", () => {
    assert.equal(
      parseStatusBytes("Name:\tproxy\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n", "VmHWM"),
      2048 * 1024,
    );
  });

  it("parseStatusBytes() names the missing field", () => {
    assert.throws(() => parseStatusBytes("Name:\tx\n", "VmRSS"), /No VmRSS line/);
  });

  it("rssBytes() and cpuMs() read this very process", () => {
    assert.ok(rssBytes(process.pid) > 1024 * 1024);
    assert.ok(cpuMs(process.pid) >= 0);
  });
});
