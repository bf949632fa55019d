/**
 * The proxy's settings as its status page lists them: flag names and values written as one would give
 * them on the command line.
 * @module
 */
import { formatDuration } from "./duration.ts";
import { formatListenAddress } from "./listen_address.ts";
import type { ProxyConfig } from "./proxy_flags.ts";

/**
 * `config` as `[flag, value]` pairs.
 *
 * @example
 * ```ts
 * proxySettings(config)[0]; // ["web.listen-address", ":8080"]
 * ```
 */
export function proxySettings(config: ProxyConfig): [string, string][] {
  return [
    ["web.listen-address", formatListenAddress(config.listen)],
    ["scrape.max-timeout", formatDuration(config.scrapeMaxTimeoutMs)],
    ["scrape.default-timeout", formatDuration(config.scrapeDefaultTimeoutMs)],
    ["registration.timeout", formatDuration(config.registrationTimeoutMs)],
    [
      "poll.idle-timeout",
      config.pollIdleTimeoutMs === 0 ? "0 (never)" : formatDuration(config.pollIdleTimeoutMs),
    ],
    ["scrape.max-body-size", formatBytes(config.maxBodyBytes)],
    ["shutdown.timeout", formatDuration(config.shutdownTimeoutMs)],
    ["registration.max-clients", config.maxClients === 0 ? "0 (unlimited)" : String(config.maxClients)],
    ["log.level", config.log.level],
    ["log.format", config.log.format],
  ];
}

/**
 * This proxy as `host:port` for `__meta_pushprox_proxy`: the listen host, or `fqdn` when it listens on
 * every interface.
 *
 * @example
 * ```ts
 * proxyName({ hostname: "", port: 8080 }, "bastion.example.com"); // "bastion.example.com:8080"
 * ```
 */
export function proxyName(listen: { hostname: string; port: number }, fqdn: string): string {
  const everywhere = listen.hostname === "" || listen.hostname === "0.0.0.0" || listen.hostname === "::";
  return formatListenAddress({ hostname: everywhere ? fqdn : listen.hostname, port: listen.port });
}

function formatBytes(bytes: number): string {
  if (bytes === 0) return "0 (unlimited)";
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
