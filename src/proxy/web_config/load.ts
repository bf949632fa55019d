/**
 * Reads `--web.config.file` into the settings the proxy runs with: the TLS listener's files and policy,
 * extra response headers, and who may do what (see ../auth/). Validated once at start; a bad file is one
 * line naming the file, the key and the problem.
 * @module
 */
import * as v from "valibot";
import { parse as parseYaml } from "yaml";
import { type ClientAuthType, refusedKeyReason, type TlsVersion, WebConfigSchema } from "./schema.ts";

/** The TLS listener as the web config describes it; the files are read (and re-read) by tls_files.ts. */
export interface TlsServerSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientAuth: ClientAuthType;
  readonly clientCaFile: string | null;
  readonly minVersion: TlsVersion;
}

/** Who may do what; every user named here has a bcrypt hash in `users`. */
export interface AccessSettings {
  /** user name -> bcrypt hash (`basic_auth_users`). */
  readonly users: ReadonlyMap<string, string>;
  /** Users that may scrape through the proxy and read its pages. */
  readonly scrapers: ReadonlySet<string>;
  /** Users that may poll and push, with the names each may register (lower case; `*.x`, `*`). */
  readonly clients: ReadonlyMap<string, readonly string[]>;
  /** A verified client certificate may register the DNS and IP names of its SANs. */
  readonly certificateNames: boolean;
}

export interface WebConfig {
  readonly file: string;
  readonly tls: TlsServerSettings | null;
  /** `http_server_config.headers`: added to every response. */
  readonly headers: readonly (readonly [string, string])[];
  readonly access: AccessSettings;
}

/**
 * Parses the file's text.
 *
 * @throws {TypeError} `Cannot load web config "FILE": KEY: PROBLEM` (one line).
 * @example
 * ```ts
 * const config = parseWebConfig("web.yml", "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n");
 * config.tls?.certFile; // "c.pem"
 * ```
 */
export function parseWebConfig(file: string, text: string): WebConfig {
  const fail = (problem: string): never => {
    throw new TypeError(`Cannot load web config "${file}": ${problem.replace(/\s*\n\s*/g, " ")}`);
  };
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    return fail(`not valid YAML: ${String((error as Error).message).split("\n")[0].replace(/:$/, "")}`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
    return fail("expected a mapping of keys (tls_server_config, basic_auth_users, ...) at the top level");
  }
  const result = v.safeParse(WebConfigSchema, raw ?? {});
  if (!result.success) {
    const issue = result.issues[0];
    const key = v.getDotPath(issue);
    // valibot reports an extra key as "Invalid key: Expected never ..."; say what the key is instead.
    const extraKey = issue.type === "strict_object" && issue.expected === "never" && issue.path !== undefined;
    const message = extraKey
      ? refusedKeyReason(String(issue.path![issue.path!.length - 1].key))
      : issue.type === "strict_object" && issue.input === undefined
      ? "missing; it is required"
      : issue.message;
    return fail(key === null ? message : `${key}: ${message}`);
  }
  const parsed = result.output;
  const pushprox = parsed.pushprox;
  const users = new Map(Object.entries(parsed.basic_auth_users ?? {}));
  const clients = new Map(Object.entries(pushprox?.clients ?? {}));
  for (const user of clients.keys()) {
    if (!users.has(user)) fail(`pushprox.clients.${user}: no such user in basic_auth_users`);
  }
  const scraperList = pushprox?.scrapers ?? [...users.keys()].filter((user) => !clients.has(user));
  for (const user of scraperList) {
    if (!users.has(user)) fail(`pushprox.scrapers: user "${user}" is not in basic_auth_users`);
    // Distinct principals: a stolen client credential must never read other hosts' metrics.
    if (clients.has(user)) fail(`pushprox.scrapers: user "${user}" is also a client; use two users`);
  }
  const tls = parsed.tls_server_config;
  return {
    file,
    tls: tls === undefined || tls === null ? null : {
      certFile: tls.cert_file,
      keyFile: tls.key_file,
      clientAuth: tls.client_auth_type,
      clientCaFile: tls.client_ca_file ?? null,
      minVersion: tls.min_version,
    },
    headers: Object.entries(parsed.http_server_config?.headers ?? {}),
    access: {
      users,
      scrapers: new Set(scraperList),
      clients,
      certificateNames: (pushprox?.client_certificates ?? "san") === "san",
    },
  };
}
