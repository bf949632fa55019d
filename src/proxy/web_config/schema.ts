/**
 * The web configuration file (`--web.config.file`): exporter-toolkit's format, the one Prometheus, node
 * exporter and most exporters read, plus our own `pushprox` key for roles. Keys of exporter-toolkit that we
 * cannot honour on Deno and Bun are refused by name rather than silently ignored: a file that asks for a
 * protection must get it or fail to load.
 * @module
 */
import * as v from "valibot";

/** exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType` names). */
export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = typeof CLIENT_AUTH_TYPES[number];

/** TLS versions both runtimes offer (TLS 1.0 and 1.1 are gone from rustls and from Bun's defaults). */
export const TLS_VERSIONS = ["TLS12", "TLS13"] as const;
export type TlsVersion = typeof TLS_VERSIONS[number];

/** Keys exporter-toolkit knows that we refuse, with the reason given to the operator. */
const UNSUPPORTED: Record<string, string> = {
  cipher_suites: "not supported: Deno and Bun pick the TLS 1.2/1.3 cipher suites themselves (all AEAD)",
  curve_preferences: "not supported: Deno and Bun pick the key-exchange curves themselves",
  prefer_server_cipher_suites: "not supported: Deno and Bun pick the cipher suites themselves",
  max_version: "not supported: both TLS 1.2 and TLS 1.3 are always offered",
  client_allowed_sans: "not supported: bind client names with pushprox.client_certificates instead",
  cert: "not supported: give the certificate as a file (cert_file) so it can be rotated",
  key: "not supported: give the key as a file (key_file) so it can be rotated",
  http2: "not supported: the proxy speaks HTTP/1.1 (Prometheus' proxy_url uses HTTP/1.1)",
  rate_limit: "not supported",
};

const text = (what: string) => v.pipe(v.string(`expected ${what}`), v.minLength(1, `expected ${what}`));

/**
 * Why a key of a mapping is refused: exporter-toolkit keys we cannot honour say why; anything else is
 * unknown. Used by load.ts for valibot's strict-object issues.
 */
export function refusedKeyReason(key: string): string {
  return UNSUPPORTED[key] ?? "unknown key";
}

const strict = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, "expected a mapping");

const TlsServerConfig = v.pipe(
  strict({
    cert_file: text("a certificate file path"),
    key_file: text("a key file path"),
    client_auth_type: v.optional(
      v.picklist(CLIENT_AUTH_TYPES, `expected one of ${CLIENT_AUTH_TYPES.join(", ")}`),
      "NoClientCert",
    ),
    client_ca_file: v.optional(text("a CA file path")),
    min_version: v.optional(v.picklist(TLS_VERSIONS, `expected one of ${TLS_VERSIONS.join(", ")}`), "TLS12"),
  }),
  v.check(
    (tls) => !requiresVerifiedCert(tls.client_auth_type) || tls.client_ca_file !== undefined,
    (issue) => `client_auth_type ${issue.input.client_auth_type} needs client_ca_file`,
  ),
);

function requiresVerifiedCert(type: ClientAuthType): boolean {
  return type === "VerifyClientCertIfGiven" || type === "RequireAndVerifyClientCert";
}

const HeaderName = v.pipe(v.string(), v.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "not a valid header name"));
const HeaderValue = v.pipe(
  v.string("expected a header value (text)"),
  v.regex(/^[^\r\n\0]*$/, "a header value cannot hold line breaks"),
);

const HttpServerConfig = strict({
  headers: v.nullish(v.record(HeaderName, HeaderValue, "expected a mapping of header: value")),
});

const BcryptHash = v.pipe(
  v.string("expected a bcrypt hash such as $2y$10$..."),
  v.regex(
    /^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/,
    "expected a bcrypt hash such as $2y$10$... (htpasswd -nBC 10)",
  ),
);

/** A name a basic-auth client may register: `host.example.com`, `*.example.com`, or `*` (anything). */
const NamePattern = v.pipe(
  v.string("expected a host name or pattern such as *.example.com"),
  v.transform((name) => name.toLowerCase()),
  v.regex(
    /^(\*|(\*\.)?[a-z0-9_:][a-z0-9_.:-]*)$/,
    "expected a host name, *.domain (any name under it) or * (any name)",
  ),
);

const PushproxConfig = strict({
  scrapers: v.nullish(v.array(text("a user name"), "expected a list of user names")),
  clients: v.nullish(
    v.record(v.string(), v.array(NamePattern, "expected a list of names"), "expected user: [names]"),
  ),
  client_certificates: v.nullish(
    v.picklist(["san", "off"], 'expected "san" (a certificate registers its SAN names) or "off"'),
  ),
});

/** The whole file. An empty file is a valid configuration that changes nothing. */
export const WebConfigSchema = strict({
  tls_server_config: v.nullish(TlsServerConfig),
  http_server_config: v.nullish(HttpServerConfig),
  basic_auth_users: v.nullish(v.record(text("a user name"), BcryptHash, "expected user: hash")),
  pushprox: v.nullish(PushproxConfig),
});

/** The file as read: keys spelled as in the file. */
export type WebConfigFile = v.InferOutput<typeof WebConfigSchema>;
