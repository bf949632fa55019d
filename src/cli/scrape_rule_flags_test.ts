import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "./args.ts";
import { CLIENT_COMMAND, type ClientConfig, parseClientFlags } from "./client_flags.ts";
import { formatHelp } from "./args.ts";

const URL_FLAG = "--proxy-url=http://proxy.example:8080";

function rules(...argv: string[]): ClientConfig["scrapeRules"] {
  const parsed = parseClientFlags([URL_FLAG, ...argv]);
  if (parsed.kind !== "run") return assert.fail(`expected a run command, got ${parsed.kind}`);
  return parsed.config.scrapeRules;
}

function usageMessage(...argv: string[]): string {
  try {
    parseClientFlags([URL_FLAG, ...argv]);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message;
  }
  return assert.fail(`no UsageError for ${JSON.stringify(argv)}`);
}

describe("scrape rule flags", () => {
  it("--allow-port repeats and collects every port given", () => {
    assert.deepEqual(rules("--allow-port=9100", "--allow-port", "9256").allowedPorts, new Set([9100, 9256]));
  });

  it("--allow-method replaces the default GET and HEAD, upper-cased", () => {
    assert.deepEqual(
      rules("--allow-method=get", "--allow-method=POST").allowedMethods,
      new Set(["GET", "POST"]),
    );
  });

  it('--allow-method="*" relays any method, as upstream does', () => {
    assert.equal(rules("--allow-method=*").allowedMethods, null);
  });

  it("--use-localhost turns on connecting through 127.0.0.1", () => {
    assert.equal(rules("--use-localhost").useLocalhost, true);
    assert.equal(rules("--no-use-localhost").useLocalhost, false);
  });

  const bad: [argv: string[], message: string][] = [
    [
      ["--allow-port=ssh"],
      'invalid value "ssh" for flag --allow-port: expected a port number from 1 to 65535',
    ],
    [
      ["--allow-port=9100", "--allow-port=0"],
      'invalid value "0" for flag --allow-port: expected a port number',
    ],
    [["--allow-port=65536"], 'invalid value "65536" for flag --allow-port'],
    [["--allow-port=-1"], 'invalid value "-1" for flag --allow-port'],
    [["--allow-port="], 'invalid value "" for flag --allow-port'],
    [["--allow-port=91 00"], 'invalid value "91 00" for flag --allow-port'],
    [["--allow-method=GE T"], 'invalid value "GE T" for flag --allow-method: expected an HTTP method'],
    [["--allow-method="], 'invalid value "" for flag --allow-method'],
    [["--allow-method=GET,HEAD"], 'invalid value "GET,HEAD" for flag --allow-method'],
    [["--use-localhost=yes"], 'invalid value "yes" for flag --use-localhost: expected true or false'],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.at(-1)} with one line naming the flag and the bad value`, () => {
      const text = usageMessage(...argv);
      assert.ok(text.startsWith(message), text);
      assert.ok(!text.includes("\n"), "one line");
    });
  }

  it("help lists the three flags with their defaults", () => {
    const help = formatHelp(CLIENT_COMMAND);
    assert.match(help, /--allow-port=PORT .*\(repeatable; default: any port\)/);
    assert.match(help, /--allow-method=METHOD .*\(repeatable; default: GET and HEAD\)/);
    assert.match(help, /--\[no-\]use-localhost .*\(default: false\)/);
  });
});
