/**
 * The client's command line: upstream's flags with upstream's defaults, plus `--scrape.max-body-size`
 * (new), which bounds what a target may send, `--proxy-url` may be repeated (new) to poll several
 * proxies at once, `--label` (new, repeatable) names labels announced for discovery, and the scrape
 * rules of scrape_rule_flags.ts (new).
 * @module
 */
import * as v from "valibot";
import { type CommandSpec, type FlagSpec, parseCommandLine } from "./args.ts";
import type { ListenAddress, LogConfig, ParsedCommand } from "./config_types.ts";
import { formatDuration } from "./duration.ts";
import {
  bytesFlag,
  hostnameFlag,
  logFormatFlag,
  logLevelFlag,
  optionalFileFlag,
  optionalListenAddressFlag,
  positiveDurationFlag,
  textFlag,
  validateFlags,
} from "./flag_values.ts";
import { LOG_FLAGS, toLogConfig } from "./log_flags.ts";
import { displayProxyUrl } from "../client/proxy_url.ts";
import { SCRAPE_RULE_FLAGS, SCRAPE_RULE_SCHEMA_ENTRIES, toScrapeRules } from "./scrape_rule_flags.ts";
import type { ScrapeRules } from "../client/scrape_rules.ts";
import {
  encodeLabels,
  labelNameProblem,
  type Labels,
  labelValueProblem,
  MAX_LABELS,
  MAX_LABELS_HEADER_BYTES,
} from "../wire/client_labels.ts";

export type { ListenAddress, LogConfig, LogLevel, ParsedCommand } from "./config_types.ts";

/** Everything the client needs from its command line. */
export interface ClientConfig {
  /**
   * `--proxy-url` (required, repeatable): http or https, normalised to end in "/" so `poll` and `push`
   * resolve under it; no two name the same proxy. One poll loop runs per URL.
   */
  readonly proxyUrls: readonly string[];
  /** `--fqdn`; null = ask the runtime for the host's FQDN. */
  readonly fqdn: string | null;
  /** `--tls.cacert --tls.cert --tls.key` file paths; cert and key come together or not at all. */
  readonly tls: {
    readonly caFile: string | null;
    readonly certFile: string | null;
    readonly keyFile: string | null;
  };
  /**
   * `--proxy.auth.file` (new): a file whose first line is `user:password`, read at start, for every proxy
   * whose `--proxy-url` carries no user info of its own; null when not given.
   */
  readonly proxyAuthFile: string | null;
  /** `--metrics-addr=:9369`; null when given as an empty string (no metrics listener). */
  readonly metricsListen: ListenAddress | null;
  /** `--proxy.retry.initial-wait=1s` */
  readonly retryInitialWaitMs: number;
  /** `--proxy.retry.max-wait=5s`, at least the initial wait. */
  readonly retryMaxWaitMs: number;
  /** `--scrape.max-body-size=128MiB` (new); 0 = unlimited. */
  readonly maxBodyBytes: number;
  /** `--label=NAME=VALUE` (new, repeatable): announced with every poll, listed by the proxy's /clients. */
  readonly labels: Labels;
  /** `--log.level=info --log.format=logfmt` */
  readonly log: LogConfig;
  /** `--allow-port`, `--allow-method`, `--use-localhost` (new): what scrapes may reach. */
  readonly scrapeRules: ScrapeRules;
}

const CLIENT_FLAGS: readonly FlagSpec[] = [
  {
    name: "proxy-url",
    kind: "url",
    required: true,
    multiple: true,
    help:
      "URL of a PushProx proxy, e.g. http://proxy.example:8080/; give it again to poll several proxies at once.",
  },
  {
    name: "fqdn",
    kind: "hostname",
    defaultHelp: "this host's FQDN",
    help: "Name this client registers under; Prometheus targets must use it as their host.",
  },
  { name: "tls.cacert", kind: "file", help: "CA certificate (PEM) to verify the proxy's certificate with." },
  {
    name: "tls.cert",
    kind: "file",
    help: "Client certificate (PEM) to present to the proxy; needs --tls.key.",
  },
  { name: "tls.key", kind: "file", help: "Private key (PEM) for --tls.cert." },
  {
    name: "proxy.auth.file",
    kind: "file",
    help: "File holding user:password for the proxies' basic auth (keeps it out of the process list).",
  },
  {
    name: "metrics-addr",
    kind: "address",
    default: ":9369",
    help: 'Address to serve the client\'s own /metrics on; "" turns it off.',
  },
  {
    name: "proxy.retry.initial-wait",
    kind: "duration",
    default: "1s",
    help: "Wait before the first retry after an error talking to the proxy.",
  },
  {
    name: "proxy.retry.max-wait",
    kind: "duration",
    default: "5s",
    help: "Longest wait between retries; waits grow from the initial wait up to this.",
  },
  {
    name: "scrape.max-body-size",
    kind: "bytes",
    default: "128MiB",
    help: "Largest scrape response read from a target; 0 means no limit.",
  },
  ...SCRAPE_RULE_FLAGS,
  {
    name: "label",
    kind: "string",
    multiple: true,
    placeholder: "NAME=VALUE",
    help: "Label for this client in the proxy's /clients (Prometheus http_sd); our proxies only.",
  },
  ...LOG_FLAGS,
];

/** The client's program name and flags, for help and for tests. */
export const CLIENT_COMMAND: CommandSpec = {
  name: "pushprox-client",
  summary: "Polls a PushProx proxy for scrapes of this host, runs them locally and pushes the results back.",
  flags: CLIENT_FLAGS,
};

function parseProxyUrl(text: string): string {
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("not http or https");
  if (url.search !== "" || url.hash !== "") throw new TypeError("query or fragment would be lost");
  // `poll` and `push` are resolved against this URL; without the slash the last path segment would be dropped.
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url.href;
}

/** The first proxy named twice (after normalising, as logs show it), or null. */
function repeatedProxy(urls: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const url of urls) {
    const shown = displayProxyUrl(url);
    if (seen.has(shown)) return shown;
    seen.add(shown);
  }
  return null;
}

/** One `--label=NAME=VALUE`, checked by the rules the proxy applies to the header. */
function labelFlag() {
  return v.pipe(
    v.string(),
    v.rawTransform<string, [string, string]>(({ dataset, addIssue, NEVER }) => {
      const text = dataset.value;
      const equals = text.indexOf("=");
      if (equals === -1) {
        addIssue({ message: "expected NAME=VALUE, such as team=db" });
        return NEVER;
      }
      const name = text.slice(0, equals);
      const value = text.slice(equals + 1);
      const problem = labelNameProblem(name) ?? labelValueProblem(value);
      if (problem === null) return [name, value];
      addIssue({ message: problem });
      return NEVER;
    }),
  );
}

function repeatedLabel(labels: readonly (readonly [string, string])[]): string | null {
  const seen = new Set<string>();
  for (const [name] of labels) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

const ClientFlagsSchema = v.pipe(
  v.object({
    "proxy-url": v.array(
      textFlag(
        parseProxyUrl,
        "expected an http:// or https:// URL without query, such as http://proxy.example:8080/",
      ),
    ),
    "fqdn": v.optional(hostnameFlag()),
    "tls.cacert": optionalFileFlag(),
    "tls.cert": optionalFileFlag(),
    "tls.key": optionalFileFlag(),
    "proxy.auth.file": optionalFileFlag(),
    "metrics-addr": optionalListenAddressFlag(),
    "proxy.retry.initial-wait": positiveDurationFlag(),
    "proxy.retry.max-wait": positiveDurationFlag(),
    "scrape.max-body-size": bytesFlag(),
    "label": v.optional(v.array(labelFlag()), []),
    "log.level": logLevelFlag(),
    "log.format": logFormatFlag(),
    ...SCRAPE_RULE_SCHEMA_ENTRIES,
  }),
  v.check(
    (flags) => repeatedProxy(flags["proxy-url"]) === null,
    // Compared as logged, without user info: two sets of credentials for one proxy are still one proxy.
    (issue) => `flag --proxy-url names ${repeatedProxy(issue.input["proxy-url"])} more than once`,
  ),
  v.check(
    (flags) => repeatedLabel(flags.label) === null,
    (issue) => `flag --label names ${JSON.stringify(repeatedLabel(issue.input.label))} twice`,
  ),
  v.check(
    (flags) => flags.label.length <= MAX_LABELS,
    `flag --label is given more than ${MAX_LABELS} times`,
  ),
  v.check(
    (flags) => encodeLabels(new Map(flags.label)).length <= MAX_LABELS_HEADER_BYTES,
    `flags --label take more than ${MAX_LABELS_HEADER_BYTES} bytes when encoded for the proxy`,
  ),
  v.check(
    (flags) => flags["tls.cert"] !== null || flags["tls.key"] === null,
    "flag --tls.key needs --tls.cert as well",
  ),
  v.check(
    (flags) => flags["tls.key"] !== null || flags["tls.cert"] === null,
    "flag --tls.cert needs --tls.key as well",
  ),
  v.check(
    (flags) => flags["proxy.retry.max-wait"] >= flags["proxy.retry.initial-wait"],
    (issue) => {
      const flags = issue.input;
      return `flag --proxy.retry.max-wait (${
        formatDuration(flags["proxy.retry.max-wait"])
      }) must not be less than ` +
        `--proxy.retry.initial-wait (${formatDuration(flags["proxy.retry.initial-wait"])})`;
    },
  ),
  v.transform((flags): ClientConfig => ({
    proxyUrls: flags["proxy-url"],
    fqdn: flags.fqdn ?? null,
    tls: { caFile: flags["tls.cacert"], certFile: flags["tls.cert"], keyFile: flags["tls.key"] },
    proxyAuthFile: flags["proxy.auth.file"],
    metricsListen: flags["metrics-addr"],
    retryInitialWaitMs: flags["proxy.retry.initial-wait"],
    retryMaxWaitMs: flags["proxy.retry.max-wait"],
    maxBodyBytes: flags["scrape.max-body-size"],
    labels: new Map(flags.label),
    log: toLogConfig(flags),
    scrapeRules: toScrapeRules(flags),
  })),
);

/**
 * Parses and validates the client's command line (arguments after the program name).
 *
 * @throws {UsageError} with a one-line message naming the flag.
 * @example
 * ```ts
 * const parsed = parseClientFlags(["--proxy-url=http://proxy:8080", "--fqdn", "web-1.example"]);
 * if (parsed.kind === "run") console.log(parsed.config.proxyUrls); // ["http://proxy:8080/"]
 * ```
 */
export function parseClientFlags(argv: readonly string[]): ParsedCommand<ClientConfig> {
  const parsed = parseCommandLine(CLIENT_COMMAND, argv);
  if (parsed.kind !== "run") return parsed;
  return { kind: "run", config: validateFlags(ClientFlagsSchema, parsed.config) };
}
