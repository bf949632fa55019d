import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "./args.ts";
import { CLIENT_COMMAND, type ClientConfig, parseClientFlags } from "./client_flags.ts";

const URL_FLAG = "--proxy-url=http://proxy.example:8080";

function config(argv: string[]): ClientConfig {
  const parsed = parseClientFlags(argv);
  if (parsed.kind !== "run") return assert.fail(`expected a run command, got ${parsed.kind}`);
  return parsed.config;
}

function usageMessage(argv: string[]): string {
  try {
    parseClientFlags(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message;
  }
  return assert.fail(`no UsageError for ${JSON.stringify(argv)}`);
}

// Upstream v0.2.0's client flags; ours must accept every one of them.
const UPSTREAM_FLAGS = [
  "proxy-url",
  "fqdn",
  "tls.cacert",
  "tls.cert",
  "tls.key",
  "metrics-addr",
  "proxy.retry.initial-wait",
  "proxy.retry.max-wait",
  "log.level",
  "log.format",
];

describe("parseClientFlags()", () => {
  it("parseClientFlags() defaults match upstream's", () => {
    assert.deepEqual(config([URL_FLAG]), {
      proxyUrls: ["http://proxy.example:8080/"],
      fqdn: null,
      tls: { caFile: null, certFile: null, keyFile: null },
      proxyAuthFile: null,
      metricsListen: { hostname: "", port: 9369 },
      retryInitialWaitMs: 1000,
      retryMaxWaitMs: 5000,
      maxBodyBytes: 134_217_728,
      labels: new Map(),
      log: { level: "info", format: "logfmt" },
      // Any port as upstream; GET and HEAD only, which is all Prometheus sends.
      scrapeRules: { allowedPorts: null, allowedMethods: new Set(["GET", "HEAD"]), useLocalhost: false },
    });
  });

  it("parseClientFlags() reads repeated --label flags in order, a value may hold '=' and any UTF-8", () => {
    const labels = config([URL_FLAG, "--label=team=db", "--label", "site=Zürich", "--label=q=a=b"]).labels;
    assert.deepEqual([...labels], [["team", "db"], ["site", "Zürich"], ["q", "a=b"]]);
  });

  const cases: [flag: string, value: string, pick: (c: ClientConfig) => unknown, expected: unknown][] = [
    ["proxy-url", "https://proxy.example/pushprox", (c) => c.proxyUrls, ["https://proxy.example/pushprox/"]],
    ["proxy.auth.file", "/etc/pushprox/auth", (c) => c.proxyAuthFile, "/etc/pushprox/auth"],
    ["fqdn", "web-1.dc1.example.com", (c) => c.fqdn, "web-1.dc1.example.com"],
    ["tls.cacert", "/etc/ca.pem", (c) => c.tls.caFile, "/etc/ca.pem"],
    ["metrics-addr", "127.0.0.1:9999", (c) => c.metricsListen, { hostname: "127.0.0.1", port: 9999 }],
    ["proxy.retry.initial-wait", "500ms", (c) => c.retryInitialWaitMs, 500],
    ["proxy.retry.max-wait", "1m", (c) => c.retryMaxWaitMs, 60_000],
    ["scrape.max-body-size", "0", (c) => c.maxBodyBytes, 0],
    ["log.level", "warn", (c) => c.log.level, "warn"],
    ["log.format", "json", (c) => c.log.format, "json"],
  ];
  for (const [flag, value, pick, expected] of cases) {
    it(`parseClientFlags() reads --${flag}=${value} and --${flag} ${value}`, () => {
      const base = flag === "proxy-url" ? [] : [URL_FLAG];
      assert.deepEqual(pick(config([...base, `--${flag}=${value}`])), expected);
      assert.deepEqual(pick(config([...base, `--${flag}`, value])), expected);
    });
  }

  it("parseClientFlags() reads --tls.cert and --tls.key together, in both forms", () => {
    const tls = config([URL_FLAG, "--tls.cert=/c.pem", "--tls.key", "/k.pem"]).tls;
    assert.deepEqual(tls, { caFile: null, certFile: "/c.pem", keyFile: "/k.pem" });
    assert.deepEqual(config([URL_FLAG, "--tls.cert", "/c.pem", "--tls.key=/k.pem"]).tls, tls);
  });

  it("parseClientFlags() covers every upstream flag", () => {
    const ours = CLIENT_COMMAND.flags.map((flag) => flag.name);
    for (const flag of UPSTREAM_FLAGS) assert.ok(ours.includes(flag), flag);
  });

  it("parseClientFlags() turns the metrics listener off with an empty --metrics-addr", () => {
    assert.equal(config([URL_FLAG, "--metrics-addr="]).metricsListen, null);
    assert.equal(config([URL_FLAG, "--metrics-addr", ""]).metricsListen, null);
  });

  it("parseClientFlags() treats empty TLS paths as unset", () => {
    assert.deepEqual(config([URL_FLAG, "--tls.cacert="]).tls, {
      caFile: null,
      certFile: null,
      keyFile: null,
    });
  });

  it("parseClientFlags() keeps a proxy URL that already ends in a slash and accepts IP FQDNs", () => {
    assert.deepEqual(config(["--proxy-url=http://10.0.0.1:8080/"]).proxyUrls, ["http://10.0.0.1:8080/"]);
    assert.equal(config([URL_FLAG, "--fqdn=10.1.2.3"]).fqdn, "10.1.2.3");
    assert.equal(config([URL_FLAG, "--fqdn=my_host"]).fqdn, "my_host");
  });

  it("parseClientFlags() takes --proxy-url more than once, keeping the order given", () => {
    const argv = ["--proxy-url=http://proxy-b:8080", "--fqdn=web-1", "--proxy-url", "https://u:p@proxy-a/pp"];
    assert.deepEqual(config(argv).proxyUrls, ["http://proxy-b:8080/", "https://u:p@proxy-a/pp/"]);
  });

  it("parseClientFlags() accepts a max wait equal to the initial wait", () => {
    const parsed = config([URL_FLAG, "--proxy.retry.initial-wait=2s", "--proxy.retry.max-wait=2s"]);
    assert.equal(parsed.retryMaxWaitMs, 2000);
  });

  const proxyUrlExpected =
    "expected an http:// or https:// URL without query, such as http://proxy.example:8080/";
  const hostExpected =
    "expected a host name made of letters, digits, '-', '_' and dots (at most 253 characters), or an IP address";
  const bad: [argv: string[], message: string][] = [
    [[], "required flag --proxy-url not provided"],
    [
      ["--proxy-url=proxy.example:8080"],
      `invalid value "proxy.example:8080" for flag --proxy-url: ${proxyUrlExpected}`,
    ],
    [
      ["--proxy-url", "ftp://proxy.example/"],
      `invalid value "ftp://proxy.example/" for flag --proxy-url: ${proxyUrlExpected}`,
    ],
    [
      ["--proxy-url=http://p/?x=1"],
      `invalid value "http://p/?x=1" for flag --proxy-url: ${proxyUrlExpected}`,
    ],
    [["--proxy-url"], "flag --proxy-url needs a value"],
    [[URL_FLAG, "--fqdn=bad host!"], `invalid value "bad host!" for flag --fqdn: ${hostExpected}`],
    [[URL_FLAG, "--fqdn="], `invalid value "" for flag --fqdn: ${hostExpected}`],
    [
      [URL_FLAG, `--fqdn=${"a".repeat(64)}.example`],
      `invalid value "${"a".repeat(64)}.example" for flag --fqdn: ${hostExpected}`,
    ],
    [[URL_FLAG, "--tls.cert=/c.pem"], "flag --tls.cert needs --tls.key as well"],
    [[URL_FLAG, "--tls.key=/k.pem"], "flag --tls.key needs --tls.cert as well"],
    [
      [URL_FLAG, "--metrics-addr=9369"],
      'invalid value "9369" for flag --metrics-addr: expected host:port such as :9369 or 127.0.0.1:9369, or "" to turn it off',
    ],
    [
      [URL_FLAG, "--proxy.retry.initial-wait=soon"],
      'invalid value "soon" for flag --proxy.retry.initial-wait: expected a duration such as 15s, 5m, 1h30m',
    ],
    [
      [URL_FLAG, "--proxy.retry.initial-wait=0"],
      'invalid value "0" for flag --proxy.retry.initial-wait: expected a duration such as 15s, 5m, 1h30m, above zero',
    ],
    [
      [URL_FLAG, "--proxy.retry.max-wait=500ms"],
      "flag --proxy.retry.max-wait (500ms) must not be less than --proxy.retry.initial-wait (1s)",
    ],
    [
      [URL_FLAG, "--log.level=loud"],
      'invalid value "loud" for flag --log.level: expected one of debug, info, warn, error',
    ],
    [[URL_FLAG, "--fqdn=a", "--fqdn=b"], "flag --fqdn cannot be repeated"],
    [
      [URL_FLAG, "--label=team=db", "--label=team"],
      'invalid value "team" for flag --label: expected NAME=VALUE, such as team=db',
    ],
    [
      [URL_FLAG, "--label=team=db", "--label=9x=1"],
      'invalid value "9x=1" for flag --label: label name "9x" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ],
    [
      [URL_FLAG, "--label=__address__=evil:80"],
      'invalid value "__address__=evil:80" for flag --label: label name "__address__" starts with "__", which Prometheus reserves',
    ],
    [
      [URL_FLAG, "--label=env="],
      'invalid value "env=" for flag --label: label value is empty (Prometheus drops labels with empty values)',
    ],
    [
      [URL_FLAG, "--label=env=\uFFFD"],
      'invalid value "env=\uFFFD" for flag --label: label value "\uFFFD" is not valid UTF-8',
    ],
    [[URL_FLAG, "--label=env=a", "--label=env=b"], 'flag --label names "env" twice'],
    [[URL_FLAG, "--proxy_url=x"], "unknown flag --proxy_url"],
    [
      [URL_FLAG, "--proxy-url=http://proxy.example:8080/"],
      "flag --proxy-url names http://proxy.example:8080/ more than once",
    ],
    [
      ["--proxy-url=http://a:1@proxy.example:8080", "--proxy-url=http://b:2@PROXY.example:8080/"],
      "flag --proxy-url names http://proxy.example:8080/ more than once",
    ],
    [
      [URL_FLAG, "--proxy-url=ftp://scraper:s3cret@proxy.example/"],
      `invalid value "ftp://proxy.example/" for flag --proxy-url: ${proxyUrlExpected}`,
    ],
  ];
  for (const [argv, message] of bad) {
    it(`parseClientFlags() rejects ${JSON.stringify(argv.slice(-1)[0] ?? "no flags")} with one line naming the flag`, () => {
      const got = usageMessage(argv);
      assert.equal(got, message);
      assert.equal(got.includes("\n"), false);
    });
  }

  it("parseClientFlags() answers -h without asking for --proxy-url, listing every flag", () => {
    const parsed = parseClientFlags(["-h"]);
    assert.equal(parsed.kind, "help");
    const text = parsed.kind === "help" ? parsed.text : "";
    assert.match(text, /^usage: pushprox-client \[<flags>\]\n/);
    for (const flag of CLIENT_COMMAND.flags) {
      const shown = flag.kind === "boolean" ? `--[no-]${flag.name} ` : `--${flag.name}=`;
      assert.ok(text.includes(shown), `--${flag.name} missing from help`);
    }
    assert.match(text, /--metrics-addr=ADDRESS .*\(default: :9369\)/);
    assert.match(text, /--fqdn=HOST .*\(default: this host's FQDN\)/);
    assert.match(text, /--proxy-url=URL .*\(required; repeatable\)/);
  });
});
