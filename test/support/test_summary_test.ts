import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBunOutput, parseDenoOutput, settleCounts } from "./test_summary.ts";

/** Real `deno test` output (NO_COLOR) for nested describes, a failing it, failing hooks, printed text. */
const DENO_MIXED = `running 5 tests from ./a_test.ts
outer ...
  inner ...
    deep ok ... ok (0ms)
    deep fails ... FAILED (1ms)
  inner ... FAILED (due to 1 failed step) (3ms)
  prints ...
------- output -------
hello ... ok
----- output end -----
  prints ... ok (0ms)
outer ... FAILED (due to 1 failed step) (4ms)
before fails ... FAILED (369µs)
after fails ...
  fine ... ok (0ms)
after fails ... FAILED (676µs)
top ... ok (271µs)
skipped ... ignored (0ms)

 ERRORS 

outer ... inner ... deep fails => ext:deno_node/testing.ts:1:21231
error: AssertionError: Expected values to be strictly equal:

 FAILURES 

outer ... inner ... deep fails => ext:deno_node/testing.ts:1:21231
before fails => ./a_test.ts:10:1
after fails => ./a_test.ts:14:1

FAILED | 1 passed (3 steps) | 3 failed (2 steps) | 1 ignored (14ms)

error: Test failed
`;

describe("parseDenoOutput()", () => {
  it("counts leaf tests, a failing hook as a failure, and ignores what tests printed", () => {
    assert.deepEqual(parseDenoOutput(DENO_MIXED), { passed: 4, failed: 3, skipped: 1, found: true });
  });

  it("counts every it of a passing describe, across files, with colour codes", () => {
    const output = "running 1 test from ./a_test.ts\n\x1b[0mgroup ...\n  one ... \x1b[32mok\x1b[0m (1ms)\n" +
      "  two ... ok (2ms)\ngroup ... ok (3ms)\nrunning 1 test from ./b_test.ts\nsolo ... ok (0ms)\n\n" +
      "\x1b[32mok\x1b[0m | 2 passed (2 steps) | 0 failed (9ms)\n";
    assert.deepEqual(parseDenoOutput(output), { passed: 3, failed: 0, skipped: 0, found: true });
  });

  it("reports no summary when deno stopped before running tests (a type error)", () => {
    const output = "Check file:///x_test.ts\nerror: TS2322 [ERROR]: Type 'string' is not assignable\n";
    assert.equal(parseDenoOutput(output).found, false);
  });
});

describe("parseBunOutput()", () => {
  it("adds errors between tests to the failures", () => {
    const output =
      "(pass) a > b [0.1ms]\n(skip) skipped\n\n 5 pass\n 1 skip\n 1 fail\n 2 errors\nRan 7 tests across 1 file.\n";
    assert.deepEqual(parseBunOutput(output), { passed: 5, failed: 3, skipped: 1, found: true });
  });

  it("reads a clean run", () => {
    assert.deepEqual(parseBunOutput("\n 13 pass\n 0 fail\nRan 13 tests across 2 files. [47.00ms]\n"), {
      passed: 13,
      failed: 0,
      skipped: 0,
      found: true,
    });
  });
});

describe("settleCounts()", () => {
  it("turns a non-zero exit without counted failures into one failure", () => {
    const none = { passed: 0, failed: 0, skipped: 0, found: false };
    assert.equal(settleCounts(none, 1).failed, 1);
    assert.equal(settleCounts({ ...none, passed: 3, found: true }, 0).failed, 0);
  });
});
