import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "./args.ts";
import { parseProxyFlags, PROXY_COMMAND, type ProxyConfig } from "./proxy_flags.ts";

function config(argv: string[]): ProxyConfig {
  const parsed = parseProxyFlags(argv);
  if (parsed.kind !== "run") return assert.fail(`expected a run command, got ${parsed.kind}`);
  return parsed.config;
}

function usageMessage(argv: string[]): string {
  try {
    parseProxyFlags(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
    return error.message;
  }
  return assert.fail(`no UsageError for ${JSON.stringify(argv)}`);
}

// Upstream v0.2.0's proxy flags; ours must accept every one of them.
const UPSTREAM_FLAGS = [
  "web.listen-address",
  "scrape.max-timeout",
  "scrape.default-timeout",
  "registration.timeout",
  "log.level",
  "log.format",
];

describe("parseProxyFlags()", () => {
  it("parseProxyFlags() defaults match upstream's, plus our new flags (no web config file by default)", () => {
    assert.deepEqual(config([]), {
      listen: { hostname: "", port: 8080 },
      scrapeMaxTimeoutMs: 300_000,
      scrapeDefaultTimeoutMs: 15_000,
      registrationTimeoutMs: 300_000,
      pollIdleTimeoutMs: 25_000,
      maxBodyBytes: 134_217_728,
      shutdownTimeoutMs: 10_000,
      maxClients: 100_000,
      webConfigFile: null,
      log: { level: "info", format: "logfmt" },
      cluster: null,
    });
  });

  it("parseProxyFlags() reads the cluster flags, normalising the advertise URL", () => {
    assert.deepEqual(
      config([
        "--cluster.redis-url=rediss://user:secret@redis.example:6380/2",
        "--cluster.advertise-url=http://proxy-1:8080",
        "--cluster.ttl=5s",
      ]).cluster,
      {
        redisUrl: "rediss://user:secret@redis.example:6380/2",
        advertiseUrl: "http://proxy-1:8080/",
        ttlMs: 5000,
      },
    );
    assert.equal(
      config(["--cluster.redis-url=redis://127.0.0.1:6379", "--cluster.advertise-url=http://p:1/"])
        .cluster?.ttlMs,
      15_000,
    );
  });

  const cases: [flag: string, value: string, pick: (c: ProxyConfig) => unknown, expected: unknown][] = [
    ["web.listen-address", "127.0.0.1:9090", (c) => c.listen, { hostname: "127.0.0.1", port: 9090 }],
    ["scrape.max-timeout", "1m", (c) => c.scrapeMaxTimeoutMs, 60_000],
    ["scrape.default-timeout", "10s", (c) => c.scrapeDefaultTimeoutMs, 10_000],
    ["registration.timeout", "1h", (c) => c.registrationTimeoutMs, 3_600_000],
    ["poll.idle-timeout", "0", (c) => c.pollIdleTimeoutMs, 0],
    ["web.config.file", "/etc/pushprox/web.yml", (c) => c.webConfigFile, "/etc/pushprox/web.yml"],
    ["scrape.max-body-size", "1GiB", (c) => c.maxBodyBytes, 1_073_741_824],
    ["shutdown.timeout", "30s", (c) => c.shutdownTimeoutMs, 30_000],
    ["registration.max-clients", "0", (c) => c.maxClients, 0],
    ["registration.max-clients", "250", (c) => c.maxClients, 250],
    ["log.level", "debug", (c) => c.log.level, "debug"],
    ["log.format", "json", (c) => c.log.format, "json"],
  ];
  for (const [flag, value, pick, expected] of cases) {
    it(`parseProxyFlags() reads --${flag}=${value} and --${flag} ${value}`, () => {
      assert.deepEqual(pick(config([`--${flag}=${value}`])), expected);
      assert.deepEqual(pick(config([`--${flag}`, value])), expected);
    });
  }

  it("parseProxyFlags() covers every upstream flag", () => {
    const ours = PROXY_COMMAND.flags.map((flag) => flag.name);
    for (const flag of UPSTREAM_FLAGS) assert.ok(ours.includes(flag), flag);
  });

  it("parseProxyFlags() reads all flags together", () => {
    const all = config([
      "--web.listen-address=[::1]:0",
      "--scrape.max-timeout",
      "30s",
      "--scrape.default-timeout=30s",
      "--log.level=error",
    ]);
    assert.deepEqual(all.listen, { hostname: "::1", port: 0 });
    assert.equal(all.scrapeDefaultTimeoutMs, all.scrapeMaxTimeoutMs);
    assert.equal(all.log.level, "error");
  });

  const bad: [argv: string[], message: string][] = [
    [
      ["--scrape.max-timeout=banana"],
      'invalid value "banana" for flag --scrape.max-timeout: expected a duration such as 15s, 5m, 1h30m',
    ],
    [
      ["--scrape.default-timeout", "0s"],
      'invalid value "0s" for flag --scrape.default-timeout: expected a duration such as 15s, 5m, 1h30m, above zero',
    ],
    [
      ["--registration.timeout=5"],
      'invalid value "5" for flag --registration.timeout: expected a duration such as 15s, 5m, 1h30m',
    ],
    [
      ["--log.level=loud"],
      'invalid value "loud" for flag --log.level: expected one of debug, info, warn, error',
    ],
    [["--log.format=xml"], 'invalid value "xml" for flag --log.format: expected one of logfmt, json'],
    [
      ["--web.listen-address=8080"],
      'invalid value "8080" for flag --web.listen-address: expected host:port such as :8080, 127.0.0.1:9369 or [::1]:8080',
    ],
    [
      ["--web.listen-address=:99999"],
      'invalid value ":99999" for flag --web.listen-address: expected host:port such as :8080, 127.0.0.1:9369 or [::1]:8080',
    ],
    [
      ["--scrape.max-body-size=lots"],
      'invalid value "lots" for flag --scrape.max-body-size: expected a size such as 512KB, 128MiB or 1GiB, or 0 for no limit',
    ],
    [
      ["--registration.max-clients=-1"],
      'invalid value "-1" for flag --registration.max-clients: expected a whole number such as 100000, or 0 for no limit',
    ],
    [["--foo"], "unknown flag --foo"],
    [["--scrape.max-timeout"], "flag --scrape.max-timeout needs a value"],
    [["serve"], 'unexpected argument "serve"'],
    [
      ["--scrape.default-timeout=10m"],
      "flag --scrape.default-timeout (10m) must not exceed --scrape.max-timeout (5m)",
    ],
    [
      ["--cluster.redis-url=http://redis:6379", "--cluster.advertise-url=http://p:8080/"],
      'invalid value "http://redis:6379" for flag --cluster.redis-url: expected redis://[user:password@]host:port[/db] or rediss://... for TLS',
    ],
    [
      ["--cluster.redis-url=redis://redis:6379/x", "--cluster.advertise-url=http://p:8080/"],
      'invalid value "redis://redis:6379/x" for flag --cluster.redis-url: expected redis://[user:password@]host:port[/db] or rediss://... for TLS',
    ],
    [
      ["--cluster.redis-url=redis://redis:6379", "--cluster.advertise-url=p:8080"],
      'invalid value "p:8080" for flag --cluster.advertise-url: expected an http:// or https:// URL this proxy is reached at, such as http://proxy-1:8080/',
    ],
    [
      ["--cluster.redis-url=redis://redis:6379"],
      "flag --cluster.redis-url needs --cluster.advertise-url as well",
    ],
    [
      ["--cluster.advertise-url=http://p:8080/"],
      "flag --cluster.advertise-url needs --cluster.redis-url as well",
    ],
  ];
  for (const [argv, message] of bad) {
    it(`parseProxyFlags() rejects ${argv.join(" ")} with one line naming the flag`, () => {
      const got = usageMessage(argv);
      assert.equal(got, message);
      assert.equal(got.includes("\n"), false);
    });
  }

  it("parseProxyFlags() returns help text listing every flag with its default", () => {
    const parsed = parseProxyFlags(["-h"]);
    assert.equal(parsed.kind, "help");
    const text = parsed.kind === "help" ? parsed.text : "";
    assert.match(text, /^usage: pushprox-proxy \[<flags>\]\n/);
    for (const flag of PROXY_COMMAND.flags) {
      const line = text.split("\n").find((l) => l.includes(`--${flag.name}=`));
      assert.ok(line, `--${flag.name} missing from help`);
      if (flag.default !== undefined) {
        assert.ok(line.endsWith(`(default: ${flag.default === "" ? '""' : flag.default})`), line);
      }
    }
  });

  it("parseProxyFlags() recognises --version", () => {
    assert.deepEqual(parseProxyFlags(["--version"]), { kind: "version" });
  });
});
