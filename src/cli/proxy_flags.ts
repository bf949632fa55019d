/**
 * The proxy's command line: upstream's flags with upstream's defaults, plus new ones that fix upstream
 * defects (`--poll.idle-timeout`, `--scrape.max-body-size`) or bound a graceful stop (`--shutdown.timeout`).
 * @module
 */
import * as v from "valibot";
import { type CommandSpec, type FlagSpec, parseCommandLine } from "./args.ts";
import type { ListenAddress, LogConfig, ParsedCommand } from "./config_types.ts";
import { formatDuration } from "./duration.ts";
import {
  bytesFlag,
  countFlag,
  durationFlag,
  listenAddressFlag,
  logFormatFlag,
  logLevelFlag,
  optionalFileFlag,
  positiveDurationFlag,
  validateFlags,
} from "./flag_values.ts";
import { LOG_FLAGS, toLogConfig } from "./log_flags.ts";
import {
  CLUSTER_FLAG_SCHEMAS,
  CLUSTER_FLAGS,
  type ClusterConfig,
  clusterFlagsMismatch,
  toClusterConfig,
} from "./cluster_flags.ts";

export type { ListenAddress, LogConfig, LogLevel, ParsedCommand } from "./config_types.ts";

/** Everything the proxy needs from its command line. */
export interface ProxyConfig {
  /** `--web.listen-address=:8080` */
  readonly listen: ListenAddress;
  /** `--scrape.max-timeout=5m`: upper bound on the timeout Prometheus asks for. */
  readonly scrapeMaxTimeoutMs: number;
  /** `--scrape.default-timeout=15s`: used when a scrape carries no timeout header. */
  readonly scrapeDefaultTimeoutMs: number;
  /** `--registration.timeout=5m` */
  readonly registrationTimeoutMs: number;
  /** `--poll.idle-timeout=25s` (new); 0 = never answer idle polls, as upstream. */
  readonly pollIdleTimeoutMs: number;
  /** `--scrape.max-body-size=128MiB` (new); 0 = unlimited. */
  readonly maxBodyBytes: number;
  /** `--shutdown.timeout=10s` (new): how long scrapes in progress may take to finish at shutdown. */
  readonly shutdownTimeoutMs: number;
  /** `--registration.max-clients=100000` (new); 0 = unlimited. */
  readonly maxClients: number;
  /** `--web.config.file` (new): TLS, basic auth and roles; null = none, plain HTTP open to all as upstream. */
  readonly webConfigFile: string | null;
  /** `--log.level=info --log.format=logfmt` */
  readonly log: LogConfig;
  /** `--cluster.*` (new): null unless `--cluster.redis-url` is given. */
  readonly cluster: ClusterConfig | null;
}

const PROXY_FLAGS: readonly FlagSpec[] = [
  {
    name: "web.listen-address",
    kind: "address",
    default: ":8080",
    help: "Address to listen on for Prometheus scrapes, client polls and pushes, and /metrics.",
  },
  {
    name: "scrape.max-timeout",
    kind: "duration",
    default: "5m",
    help: "Longest timeout any scrape may have, whatever Prometheus asks for.",
  },
  {
    name: "scrape.default-timeout",
    kind: "duration",
    default: "15s",
    help: "Timeout for scrapes that arrive without an X-Prometheus-Scrape-Timeout-Seconds header.",
  },
  {
    name: "registration.timeout",
    kind: "duration",
    default: "5m",
    help: "How long a client stays listed in /clients after it was last seen.",
  },
  {
    name: "registration.max-clients",
    kind: "count",
    default: "100000",
    help: "Most clients (FQDNs) known at once; polls for new ones past it get 503. 0 means no limit.",
  },
  {
    name: "poll.idle-timeout",
    kind: "duration",
    default: "25s",
    help:
      "Answer a poll with no scrape after this long, so load balancers never cut it as idle; 0 never does.",
  },
  {
    name: "scrape.max-body-size",
    kind: "bytes",
    default: "128MiB",
    help: "Largest scrape response a client may push; 0 means no limit.",
  },
  {
    name: "shutdown.timeout",
    kind: "duration",
    default: "10s",
    help: "On SIGTERM, how long scrapes in progress may take to finish before the proxy exits.",
  },
  {
    name: "web.config.file",
    kind: "file",
    help:
      "Web configuration file (exporter-toolkit format) for TLS, basic auth and roles; see README, Security.",
  },
  ...LOG_FLAGS,
  ...CLUSTER_FLAGS,
];

/** The proxy's program name and flags, for help and for tests. */
export const PROXY_COMMAND: CommandSpec = {
  name: "pushprox-proxy",
  summary:
    "Lets Prometheus scrape hosts it cannot reach: they poll this proxy, which relays each scrape to them.",
  flags: PROXY_FLAGS,
};

const ProxyFlagsSchema = v.pipe(
  v.object({
    "web.listen-address": listenAddressFlag(),
    "scrape.max-timeout": positiveDurationFlag(),
    "scrape.default-timeout": positiveDurationFlag(),
    "registration.timeout": durationFlag(),
    "registration.max-clients": countFlag(),
    "poll.idle-timeout": durationFlag(),
    "scrape.max-body-size": bytesFlag(),
    "shutdown.timeout": durationFlag(),
    "web.config.file": optionalFileFlag(),
    "log.level": logLevelFlag(),
    "log.format": logFormatFlag(),
    ...CLUSTER_FLAG_SCHEMAS,
  }),
  v.check((flags) => clusterFlagsMismatch(flags) === null, (issue) => clusterFlagsMismatch(issue.input)!),
  v.check(
    (flags) => flags["scrape.default-timeout"] <= flags["scrape.max-timeout"],
    (issue) => {
      const flags = issue.input;
      return `flag --scrape.default-timeout (${
        formatDuration(flags["scrape.default-timeout"])
      }) must not exceed ` +
        `--scrape.max-timeout (${formatDuration(flags["scrape.max-timeout"])})`;
    },
  ),
  v.transform((flags): ProxyConfig => ({
    listen: flags["web.listen-address"],
    scrapeMaxTimeoutMs: flags["scrape.max-timeout"],
    scrapeDefaultTimeoutMs: flags["scrape.default-timeout"],
    registrationTimeoutMs: flags["registration.timeout"],
    maxClients: flags["registration.max-clients"],
    pollIdleTimeoutMs: flags["poll.idle-timeout"],
    maxBodyBytes: flags["scrape.max-body-size"],
    shutdownTimeoutMs: flags["shutdown.timeout"],
    webConfigFile: flags["web.config.file"],
    log: toLogConfig(flags),
    cluster: toClusterConfig(flags),
  })),
);

/**
 * Parses and validates the proxy's command line (arguments after the program name).
 *
 * @throws {UsageError} with a one-line message naming the flag.
 * @example
 * ```ts
 * const parsed = parseProxyFlags(["--web.listen-address=:9090", "--log.level", "debug"]);
 * if (parsed.kind === "run") console.log(parsed.config.listen.port); // 9090
 * ```
 */
export function parseProxyFlags(argv: readonly string[]): ParsedCommand<ProxyConfig> {
  const parsed = parseCommandLine(PROXY_COMMAND, argv);
  if (parsed.kind !== "run") return parsed;
  return { kind: "run", config: validateFlags(ProxyFlagsSchema, parsed.config) };
}
