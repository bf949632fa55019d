/**
 * The release workflow publishes only what was tested: it builds with the engine the tests and
 * benchmarks run (bun), runs the compiled-binary suite on those files, checks they are unchanged, and
 * only then creates the release. GitHub runs the workflow; this test reads it, so a reordering or an
 * engine switch cannot slip in unnoticed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { repoPath } from "../support/paths.ts";

interface Workflow {
  jobs: Record<string, { steps: Array<{ run?: string; uses?: string }> }>;
}

const workflow = parse(readFileSync(repoPath(".github/workflows/release.yml"), "utf8")) as Workflow;
const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ""));
const indexOf = (pattern: RegExp): number => runs.findIndex((run) => pattern.test(run));

describe("release workflow", () => {
  it("tests the compiled binaries before it publishes, and publishes the files it tested", () => {
    const test = indexOf(/^npm test -- .*--impl=binary/);
    const verify = indexOf(/sha256sum --strict -c SHA256SUMS/);
    const publish = indexOf(/^gh release create /);
    assert.ok(test >= 0, `a step runs the binary suite:\n${runs.join("\n")}`);
    assert.ok(publish > verify && verify > test, `test, then verify, then publish:\n${runs.join("\n")}`);
    // The binary suite builds dist/ itself; a build after it would publish untested files.
    assert.equal(runs.slice(test + 1).some((run) => /scripts\/build\.ts|npm run build/.test(run)), false);
  });

  it("builds with bun, the engine the README's figures and every test are for", () => {
    assert.equal(runs.some((run) => /--engine=(deno|auto)/.test(run)), false, runs.join("\n"));
    assert.equal(
      Object.values(workflow.jobs).some((job) => job.steps.some((step) => step.uses?.includes("setup-deno"))),
      false,
    );
  });
});
