/**
 * The cluster's routing in Redis (or Valkey, or any server speaking its protocol), through node-redis'
 * `@redis/client`. Loaded with a dynamic import only when the proxy runs with `--cluster.redis-url`, so a
 * single proxy neither loads nor connects a Redis client.
 *
 * Layout: one sorted set per FQDN, `pushprox:owners:<fqdn>`, whose members are the advertise URLs of the
 * proxies holding it, scored by when each entry expires (Redis' own clock, read in the scripts, so proxies
 * with skewed clocks agree). Readers ignore expired members; writers prune them; the key itself expires
 * one TTL after its last refresh, so a proxy killed outright leaves nothing behind for long. Beside it,
 * `pushprox:labels:<fqdn>` holds what each holder lists for it on `/clients`. Changes are
 * announced on the `pushprox:changes` channel, one FQDN per line. A single Redis (optionally replicated);
 * not Redis Cluster, whose slots would split the multi-key scripts.
 * @module
 */
import { createClient } from "@redis/client";
import type { ClusterClient, RouteStore, RouteStoreEvents } from "./route_store.ts";

const KEY_PREFIX = "pushprox:owners:";
/** Per FQDN, holder -> JSON of the http_sd labels it lists for it; expires with the owners key. */
const LABELS_PREFIX = "pushprox:labels:";
/** Issuer tag -> advertise URL, for routing pushes (see scrape_id.ts); a few entries per cluster. */
const MEMBERS_KEY = "pushprox:members";
export const CHANGES_CHANNEL = "pushprox:changes";

/**
 * Redis' clock in ms, then for each (owners, labels) pair of keys: refresh ARGV[1]'s entry, drop expired
 * ones, store its labels (ARGV[2 + n] for the n-th pair), extend both keys.
 */
const CLAIM_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS, 2 do
  local owners, labels = KEYS[i], KEYS[i + 1]
  redis.call('ZADD', owners, now + ttl, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', owners, '-inf', now)
  if redis.call('PTTL', owners) < ttl then redis.call('PEXPIRE', owners, ttl) end
  redis.call('HSET', labels, ARGV[1], ARGV[2 + (i + 1) / 2])
  if redis.call('PTTL', labels) < ttl then redis.call('PEXPIRE', labels, ttl) end
end
return #KEYS / 2`;

/** For each (owners, labels) pair of keys: the live owners, freshest first, and the freshest's labels. */
const LIST_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #KEYS, 2 do
  local owners = redis.call('ZREVRANGEBYSCORE', KEYS[i], '+inf', '(' .. now)
  local labels = ''
  if #owners > 0 then labels = redis.call('HGET', KEYS[i + 1], owners[1]) or '' end
  out[#out + 1] = { owners, labels }
end
return out`;

/** For each key, the members not yet expired, freshest first. */
const OWNERS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('ZREVRANGEBYSCORE', key, '+inf', '(' .. now)
end
return out`;

export interface RedisStoreOptions {
  /** `redis://` or `rediss://` URL. */
  readonly url: string;
  /** A command not answered within this long fails (Redis hung without closing the connection). */
  readonly commandTimeoutMs: number;
  /** Longest pause between reconnection attempts. */
  readonly maxReconnectDelayMs: number;
}

/**
 * Opens the store: two connections (commands, and one subscribed to the change channel), made in the
 * background; `events.connection` reports each change of their joint state.
 */
export function openRedisStore(
  options: RedisStoreOptions,
  events: RouteStoreEvents,
): Promise<RouteStore> {
  const base = {
    url: options.url,
    socket: {
      connectTimeout: options.commandTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, options.maxReconnectDelayMs),
    },
    pingInterval: options.commandTimeoutMs,
    disableClientInfo: true,
  };
  // Commands fail at once while disconnected rather than queueing: a scrape must not wait for Redis.
  const commands = createClient({
    ...base,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs, rejectInFlight: true },
  });
  // The subscription is restored by the library on every reconnect.
  const subscriber = createClient(base);

  /** null until the first connection or failure: connecting is not yet a state change to report. */
  let up: boolean | null = null;
  let lastError: Error | undefined;
  const update = () => {
    const now = commands.isReady && subscriber.isReady;
    if (now === up || (up === null && !now && lastError === undefined)) return;
    up = now;
    events.connection(up, up ? undefined : lastError ?? new Error("connection to Redis closed"));
  };
  for (const client of [commands, subscriber]) {
    client.on("ready", update);
    client.on("end", update);
    client.on("reconnecting", update);
    client.on("error", (error: unknown) => {
      lastError = error instanceof Error ? error : new Error(String(error));
      update();
    });
  }
  const onMessage = (message: string) => events.changed(message.split("\n").filter((line) => line !== ""));
  // Queued until the first connection; a failed first attempt is retried by the reconnect strategy.
  subscriber.subscribe(CHANGES_CHANNEL, onMessage).catch(() => {});
  commands.connect().catch(() => {});
  subscriber.connect().catch(() => {});

  const ownersOf = async (keys: string[]): Promise<string[][]> =>
    (await commands.eval(OWNERS_SCRIPT, { keys, arguments: [] })) as string[][];

  return Promise.resolve({
    get up() {
      return up === true;
    },
    async claim(claims, owner, ttlMs) {
      if (claims.length === 0) return;
      await commands.eval(CLAIM_SCRIPT, {
        keys: claims.flatMap(({ fqdn }) => [keyOf(fqdn), LABELS_PREFIX + fqdn]),
        arguments: [owner, String(ttlMs), ...claims.map((claim) => claim.labels)],
      });
    },
    async release(fqdns, owner) {
      if (fqdns.length === 0) return;
      const batch = commands.multi();
      for (const fqdn of fqdns) batch.zRem(keyOf(fqdn), owner).hDel(LABELS_PREFIX + fqdn, owner);
      await batch.execAsPipeline();
    },
    async owners(fqdn) {
      return (await ownersOf([keyOf(fqdn)]))[0] ?? [];
    },
    async list() {
      const found: ClusterClient[] = [];
      for await (const keys of commands.scanIterator({ MATCH: `${KEY_PREFIX}*`, COUNT: 1000 })) {
        if (keys.length === 0) continue;
        const fqdns = keys.map((key) => key.slice(KEY_PREFIX.length));
        const rows = (await commands.eval(LIST_SCRIPT, {
          keys: fqdns.flatMap((fqdn) => [keyOf(fqdn), LABELS_PREFIX + fqdn]),
          arguments: [],
        })) as Array<[string[], string]>;
        rows.forEach(([owners, labels], i) => {
          if (owners.length > 0) {
            found.push({ fqdn: fqdns[i]!, owners, labels: labels === "" ? null : labels });
          }
        });
      }
      return found.sort((a, b) => (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
    },
    async join(tag, url) {
      await commands.hSet(MEMBERS_KEY, tag, url);
    },
    async member(tag) {
      return (await commands.hGet(MEMBERS_KEY, tag)) ?? null;
    },
    async announce(fqdns) {
      if (fqdns.length === 0) return;
      await commands.publish(CHANGES_CHANNEL, fqdns.join("\n"));
    },
    close() {
      for (const client of [commands, subscriber]) {
        client.removeAllListeners();
        client.on("error", () => {}); // an error event with no listener would end the process
        // At once, pending replies and all: the registry has written what it meant to, and a graceful close
        // can wait for ever on a Redis that is going away, which must not hold up the proxy's shutdown.
        if (client.isOpen) client.destroy();
      }
      return Promise.resolve();
    },
  });
}

function keyOf(fqdn: string): string {
  return KEY_PREFIX + fqdn;
}
