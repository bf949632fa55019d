/**
 * The command line as an operator meets it: upstream's flags, one-line errors that name the bad flag
 * (no stack traces), `--help` and `--version`.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { VERSION } from "../../src/version.ts";
import { Harness } from "../support/harness.ts";
import { type Program, selectedImplementation } from "../support/pushprox.ts";

/** Every flag upstream v0.2.0 accepts, per program. */
const UPSTREAM_FLAGS: Record<Program, readonly string[]> = {
  proxy: [
    "--web.listen-address",
    "--scrape.max-timeout",
    "--scrape.default-timeout",
    "--registration.timeout",
    "--log.level",
    "--log.format",
  ],
  client: [
    "--proxy-url",
    "--fqdn",
    "--tls.cacert",
    "--tls.cert",
    "--tls.key",
    "--metrics-addr",
    "--proxy.retry.initial-wait",
    "--proxy.retry.max-wait",
    "--log.level",
    "--log.format",
  ],
};

describe(`command-line flags (${selectedImplementation()})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  const badFlags: Array<[Program, string[], string]> = [
    ["proxy", ["--scrape.max-timeout=banana"], "scrape.max-timeout"],
    ["client", ["--proxy-url=localhost:8080", "--fqdn=127.0.0.1", "--metrics-addr="], "proxy-url"],
    ["proxy", ["--nope"], "nope"],
  ];
  for (const [program, args, flag] of badFlags) {
    it(`${program} ${args[0]} exits non-zero with one stderr line naming --${flag}`, async () => {
      const result = await h.run(program, args);
      assert.notEqual(result.code, 0, result.logs);
      assert.equal(result.signal, null, result.logs);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `expected exactly one line on stderr:\n${result.logs}`);
      assert.ok(lines[0]!.includes(flag), `stderr should name ${flag}:\n${result.logs}`);
      assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
    });
  }

  it("client exits 2 with one stderr line when two --proxy-url values name the same proxy", async () => {
    const result = await h.run("client", [
      "--proxy-url=http://127.0.0.1:8080",
      "--proxy-url=http://scraper:s3cret@127.0.0.1:8080/",
      "--metrics-addr=",
    ]);
    assert.equal(result.code, 2, result.logs);
    assert.equal(result.stderr, "client: flag --proxy-url names http://127.0.0.1:8080/ more than once\n");
  });

  for (const program of ["proxy", "client"] as const) {
    it(`${program} --help lists every upstream flag and exits 0`, async () => {
      const result = await h.run(program, ["--help"]);
      assert.equal(result.code, 0, result.logs);
      const help = result.stdout + result.stderr;
      for (const flag of UPSTREAM_FLAGS[program]) {
        assert.ok(help.includes(flag), `--help should mention ${flag}:\n${result.logs}`);
      }
    });

    it(`${program} --version prints version ${VERSION} and exits 0`, async () => {
      const result = await h.run(program, ["--version"]);
      assert.equal(result.code, 0, result.logs);
      assert.ok((result.stdout + result.stderr).includes(VERSION), result.logs);
    });
  }
});
