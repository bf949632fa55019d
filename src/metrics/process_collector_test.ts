import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "./registry.ts";
import { registerProcessMetrics } from "./process_collector.ts";

describe("registerProcessMetrics()", () => {
  it("registerProcessMetrics() renders what the reader reports under the standard names", () => {
    const registry = new Registry();
    registerProcessMetrics(registry, () => ({
      residentMemoryBytes: 9_500_000,
      heapBytes: 4_000_000,
      cpuSecondsTotal: 1.25,
      startTimeSeconds: 1_700_000_000,
      openFds: 12,
      maxFds: 20_000,
    }));
    const samples = registry.render().split("\n").filter((l) => l !== "" && !l.startsWith("# HELP"));
    assert.deepEqual(samples, [
      "# TYPE process_resident_memory_bytes gauge",
      "process_resident_memory_bytes 9500000",
      "# TYPE process_heap_bytes gauge",
      "process_heap_bytes 4000000",
      "# TYPE process_cpu_seconds_total counter",
      "process_cpu_seconds_total 1.25",
      "# TYPE process_start_time_seconds gauge",
      "process_start_time_seconds 1700000000",
      "# TYPE process_open_fds gauge",
      "process_open_fds 12",
      "# TYPE process_max_fds gauge",
      "process_max_fds 20000",
    ]);
  });

  it("registerProcessMetrics() leaves out what the runtime cannot tell", () => {
    const registry = new Registry();
    registerProcessMetrics(registry, () => ({ residentMemoryBytes: 1 }));
    const text = registry.render();
    assert.match(text, /^process_resident_memory_bytes 1$/m);
    assert.doesNotMatch(text, /process_open_fds|process_cpu_seconds_total/);
  });

  it("registerProcessMetrics() reads the process once per render", async () => {
    const registry = new Registry();
    let reads = 0;
    registerProcessMetrics(registry, () => ({ residentMemoryBytes: ++reads }));
    assert.match(registry.render(), /^process_resident_memory_bytes 1$/m);
    assert.equal(reads, 1);
    await Promise.resolve();
    assert.match(registry.render(), /^process_resident_memory_bytes 2$/m);
  });
});
