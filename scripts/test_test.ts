import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstProblem, parseOptions, plan } from "./test.ts";

describe("plan()", () => {
  for (const argv of [[], ["--only=unit"], ["--only=e2e", "--impl=deno"]]) {
    it(`starts with fmt, lint and check, each ending the run when it fails (${argv.join(" ") || "no options"})`, () => {
      const steps = plan(parseOptions(argv));
      assert.deepEqual(
        steps.slice(0, 3).map((step) => [step.args.join(" "), step.parser, step.gate]),
        [["fmt --check", "build", true], ["lint", "build", true], [
          "check src/ test/ scripts/",
          "build",
          true,
        ]],
      );
      assert.ok(steps.slice(3).length > 0 && steps.slice(3).every((step) => !step.gate));
    });
  }
});

describe("firstProblem()", () => {
  const repo = "/repo/";
  it("names the first unformatted file and the line its diff starts at", () => {
    const output =
      "from /repo/src/a.ts:\n3 | -  return   a;\n3 | +  return a;\n\nfrom /repo/src/b.ts:\n1 | -x\n";
    assert.equal(firstProblem(output, repo), "src/a.ts:3: not formatted");
  });
  it("names a lint problem's rule, file, line and column", () => {
    const output = "error[require-await]: Async function 'f' has no 'await' expression.\n" +
      " --> /repo/scripts/x.ts:2:8\n  | \n2 | export async function f() {\n\nFound 1 problem\n";
    assert.equal(firstProblem(output, repo), "scripts/x.ts:2:8: require-await");
  });
  it("names a type error's code, message and place", () => {
    const output = "Check src/x.ts\nTS2322 [ERROR]: Type 'number' is not assignable to type 'string'.\n" +
      "export const b: string = 3;\n             ^\n    at file:///repo/src/x.ts:5:14\n\nerror: Type checking failed.\n";
    assert.equal(
      firstProblem(output, repo),
      "src/x.ts:5:14: TS2322 Type 'number' is not assignable to type 'string'.",
    );
  });
  it("gives undefined when the output names no place", () => {
    assert.equal(firstProblem("error: could not find deno.json\n", repo), undefined);
  });
});
