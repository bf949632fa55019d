/**
 * The proxy's cluster flags (`--cluster.redis-url`, `--cluster.advertise-url`, `--cluster.ttl`): opt-in,
 * off by default, so a proxy without them behaves exactly as a single proxy always has.
 * @module
 */
import type { FlagSpec } from "./args.ts";
import { positiveDurationFlag, textFlag } from "./flag_values.ts";

/** How a proxy joins a cluster. */
export interface ClusterConfig {
  /** `redis://[user:pass@]host:port/db` or `rediss://` (TLS): where the cluster's routing lives. */
  readonly redisUrl: string;
  /** `http://this-proxy:8080/`: how the other proxies reach this one (normalised to end in "/"). */
  readonly advertiseUrl: string;
  /** How long a registry entry outlives the last refresh of the proxy that wrote it. */
  readonly ttlMs: number;
}

export const CLUSTER_FLAGS: readonly FlagSpec[] = [
  {
    name: "cluster.redis-url",
    kind: "url",
    default: "",
    help:
      "Join a cluster of proxies sharing routing through this Redis (redis:// or rediss://); needs --cluster.advertise-url.",
  },
  {
    name: "cluster.advertise-url",
    kind: "url",
    default: "",
    help: "The URL the other proxies of the cluster reach this one at, e.g. http://proxy-1:8080/.",
  },
  {
    name: "cluster.ttl",
    kind: "duration",
    default: "15s",
    help: "How long this proxy's registry entries outlive it if it dies; refreshed every third of it.",
  },
];

/** `--cluster.redis-url`: "" (no cluster) or a redis:// / rediss:// URL with a host and an optional db. */
export function parseRedisUrl(text: string): string {
  if (text === "") return "";
  const url = new URL(text);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new TypeError("not redis or rediss");
  if (url.hostname === "") throw new TypeError("no host");
  if (!/^\/?(\d+)?$/.test(url.pathname)) throw new TypeError("database is not a number");
  return text;
}

/** `--cluster.advertise-url`: "" or an http(s) URL without query or fragment, ending in "/". */
export function parseAdvertiseUrl(text: string): string {
  if (text === "") return "";
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("not http or https");
  if (url.hostname === "") throw new TypeError("no host");
  if (url.search !== "" || url.hash !== "") throw new TypeError("query or fragment");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url.href;
}

/** Valibot entries for the cluster flags, merged into the proxy's flag schema. */
export const CLUSTER_FLAG_SCHEMAS = {
  "cluster.redis-url": textFlag(
    parseRedisUrl,
    "expected redis://[user:password@]host:port[/db] or rediss://... for TLS",
  ),
  "cluster.advertise-url": textFlag(
    parseAdvertiseUrl,
    "expected an http:// or https:// URL this proxy is reached at, such as http://proxy-1:8080/",
  ),
  "cluster.ttl": positiveDurationFlag(),
};

interface ClusterFlagValues {
  readonly "cluster.redis-url": string;
  readonly "cluster.advertise-url": string;
  readonly "cluster.ttl": number;
}

/** The two URLs come together or not at all; returns the message when they do not, else null. */
export function clusterFlagsMismatch(flags: ClusterFlagValues): string | null {
  const redis = flags["cluster.redis-url"] !== "";
  const advertise = flags["cluster.advertise-url"] !== "";
  if (redis && !advertise) return "flag --cluster.redis-url needs --cluster.advertise-url as well";
  if (advertise && !redis) return "flag --cluster.advertise-url needs --cluster.redis-url as well";
  return null;
}

/** The cluster configuration, or null when the proxy runs alone. */
export function toClusterConfig(flags: ClusterFlagValues): ClusterConfig | null {
  if (flags["cluster.redis-url"] === "") return null;
  return {
    redisUrl: flags["cluster.redis-url"],
    advertiseUrl: flags["cluster.advertise-url"],
    ttlMs: flags["cluster.ttl"],
  };
}
