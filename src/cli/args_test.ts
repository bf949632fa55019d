import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type CommandSpec, formatHelp, parseCommandLine, UsageError } from "./args.ts";

const DEMO: CommandSpec = {
  name: "demo",
  summary: "Demonstrates flags.",
  flags: [
    { name: "web.listen-address", kind: "address", default: ":8080", help: "Where to listen." },
    { name: "timeout", kind: "duration", help: "How long to wait." },
    { name: "verbose", kind: "boolean", short: "v", default: "false", help: "Say more." },
    { name: "color", kind: "boolean", default: "true", help: "Use colors." },
    { name: "tag", kind: "string", multiple: true, placeholder: "TAG", help: "A tag." },
    { name: "token", kind: "string", required: true, help: "A token." },
  ],
};

function run(argv: string[]) {
  const parsed = parseCommandLine(DEMO, ["--token=t", ...argv]);
  assert.equal(parsed.kind, "run");
  return parsed.kind === "run" ? parsed.config : {};
}

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(DEMO, argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    assert.equal(error.message.includes("\n"), false, "message must be one line");
    return error.message;
  }
  return assert.fail(`no UsageError for ${JSON.stringify(argv)}`);
}

describe("parseCommandLine()", () => {
  it("parseCommandLine() takes --name=value and --name value alike, dotted names included", () => {
    assert.equal(run(["--web.listen-address=:9090"])["web.listen-address"], ":9090");
    assert.equal(run(["--web.listen-address", ":9090"])["web.listen-address"], ":9090");
    assert.equal(run(["--timeout", "5m"]).timeout, "5m");
  });

  it("parseCommandLine() fills in defaults and leaves flags without one undefined", () => {
    const config = run([]);
    assert.equal(config["web.listen-address"], ":8080");
    assert.equal(config.timeout, undefined);
    assert.equal(config.verbose, false);
    assert.equal(config.color, true);
    assert.equal(config.tag, undefined);
  });

  it("parseCommandLine() reads booleans as --flag, --no-flag, -v and --flag=false", () => {
    assert.equal(run(["--verbose"]).verbose, true);
    assert.equal(run(["-v"]).verbose, true);
    assert.equal(run(["--no-color"]).color, false);
    assert.equal(run(["--verbose=false"]).verbose, false);
    assert.equal(run(["--color=true"]).color, true);
  });

  it("parseCommandLine() collects repeated flags where declared", () => {
    assert.deepEqual(run(["--tag=a", "--tag", "b"]).tag, ["a", "b"]);
  });

  it("parseCommandLine() keeps an explicitly empty value", () => {
    assert.equal(run(["--web.listen-address="])["web.listen-address"], "");
  });

  it("parseCommandLine() answers -h and --help with the help text, wherever they stand", () => {
    for (const argv of [["-h"], ["--help"], ["--bogus", "--help"], ["--timeout=5m", "-h"]]) {
      const parsed = parseCommandLine(DEMO, argv);
      assert.equal(parsed.kind, "help", argv.join(" "));
      assert.equal(parsed.kind === "help" && parsed.text, formatHelp(DEMO));
    }
  });

  it("parseCommandLine() answers --version", () => {
    assert.deepEqual(parseCommandLine(DEMO, ["--version"]), { kind: "version" });
  });

  it("parseCommandLine() rejects an unknown flag, naming it", () => {
    assert.equal(usageMessage(["--token=t", "--foo"]), "unknown flag --foo");
    assert.equal(usageMessage(["--token=t", "--foo=bar"]), "unknown flag --foo");
    assert.equal(usageMessage(["--token=t", "-x"]), "unknown flag -x");
    assert.equal(usageMessage(["--token=t", "--no-timeout"]), "unknown flag --no-timeout");
  });

  it("parseCommandLine() rejects a flag whose value is missing", () => {
    assert.equal(usageMessage(["--token=t", "--timeout"]), "flag --timeout needs a value");
    assert.equal(usageMessage(["--token=t", "--timeout", "--verbose"]), "flag --timeout needs a value");
  });

  it("parseCommandLine() rejects positional arguments", () => {
    assert.equal(usageMessage(["--token=t", "extra"]), 'unexpected argument "extra"');
    assert.equal(usageMessage(["--token=t", "--", "--verbose"]), 'unexpected argument "--verbose"');
  });

  it("parseCommandLine() rejects a single-valued flag given twice", () => {
    assert.equal(
      usageMessage(["--token=t", "--timeout=1s", "--timeout=2s"]),
      "flag --timeout cannot be repeated",
    );
  });

  it("parseCommandLine() rejects a missing required flag", () => {
    assert.equal(usageMessage([]), "required flag --token not provided");
  });

  it("parseCommandLine() rejects odd boolean values", () => {
    assert.equal(
      usageMessage(["--token=t", "--verbose=yes"]),
      'invalid value "yes" for flag --verbose: expected true or false',
    );
    assert.equal(usageMessage(["--token=t", "--no-color=true"]), "flag --no-color does not take a value");
  });
});

describe("formatHelp()", () => {
  const help = formatHelp(DEMO);

  it("formatHelp() starts with a usage line and the summary", () => {
    assert.equal(help.split("\n")[0], "usage: demo [<flags>]");
    assert.ok(help.includes("Demonstrates flags."));
  });

  it("formatHelp() lists every flag on one line with its default", () => {
    const lines = help.split("\n");
    const line = (flag: string) =>
      lines.find((l) => l.includes(flag)) ?? assert.fail(`${flag} missing from help`);
    assert.match(line("--web.listen-address=ADDRESS"), /Where to listen\. \(default: :8080\)$/);
    assert.match(line("--timeout=DURATION"), /How long to wait\.$/);
    assert.match(line("-v, --[no-]verbose"), /Say more\. \(default: false\)$/);
    assert.match(line("--tag=TAG"), /\(repeatable\)$/);
    assert.match(line("--token=VALUE"), /\(required\)$/);
    assert.match(line("-h, --help"), /Show this help/);
    assert.match(line("--version"), /Show the version/);
  });

  it("formatHelp() aligns the descriptions in one column", () => {
    const flagLines = help.split("\n").filter((l) => l.startsWith("  "));
    assert.equal(flagLines.length, 8);
    const starts = flagLines.map((l) => /^ {2}(?:-., | {4})--\S+ +/.exec(l)?.[0].length);
    assert.equal(new Set(starts).size, 1, starts.join());
  });
});
