import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseWebConfig } from "./load.ts";

const HASH = "$2y$10$ysXFo5s0Xw0IouAdFNixmOJK4uBYoAPSsiq/Uh/cUSKJLRaS2cYRy";

describe("parseWebConfig()", () => {
  it("parseWebConfig() reads an exporter-toolkit file with our pushprox roles", () => {
    const config = parseWebConfig(
      "web.yml",
      `
tls_server_config:
  cert_file: /etc/pushprox/cert.pem
  key_file: /etc/pushprox/key.pem
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: /etc/pushprox/clients-ca.pem
  min_version: TLS13
http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: ${HASH}
  web: ${HASH}
pushprox:
  clients:
    web: ["*.Web.Example.com", "db1.example.com"]
`,
    );
    assert.deepEqual(config.tls, {
      certFile: "/etc/pushprox/cert.pem",
      keyFile: "/etc/pushprox/key.pem",
      clientAuth: "VerifyClientCertIfGiven",
      clientCaFile: "/etc/pushprox/clients-ca.pem",
      minVersion: "TLS13",
    });
    assert.deepEqual(config.headers, [["Strict-Transport-Security", "max-age=31536000"]]);
    // Users not listed as clients are scrapers unless pushprox.scrapers says otherwise.
    assert.deepEqual([...config.access.scrapers], ["prometheus"]);
    assert.deepEqual(config.access.clients.get("web"), ["*.web.example.com", "db1.example.com"]);
    assert.equal(config.access.certificateNames, true);
  });

  it("parseWebConfig() takes an empty file as no TLS, no users", () => {
    const config = parseWebConfig("web.yml", "");
    assert.equal(config.tls, null);
    assert.equal(config.access.users.size, 0);
    assert.deepEqual(config.headers, []);
  });

  const tls = "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n";
  const bad: [text: string, message: string][] = [
    ["a: [\n", "not valid YAML: "],
    ["- 1\n", "expected a mapping of keys (tls_server_config, basic_auth_users, ...) at the top level"],
    ["bogus: 1\n", "bogus: unknown key"],
    ["tls_server_config: 5\n", "tls_server_config: expected a mapping"],
    ["tls_server_config:\n  cert_file: c.pem\n", "tls_server_config.key_file: missing; it is required"],
    [
      `${tls}  client_auth_type: Maybe\n`,
      "tls_server_config.client_auth_type: expected one of NoClientCert,",
    ],
    [
      `${tls}  client_auth_type: RequireAndVerifyClientCert\n`,
      "tls_server_config: client_auth_type RequireAndVerifyClientCert needs client_ca_file",
    ],
    [
      `${tls}  cipher_suites: [TLS_AES_128_GCM_SHA256]\n`,
      "tls_server_config.cipher_suites: not supported: Deno and Bun pick",
    ],
    [`${tls}  min_version: TLS10\n`, "tls_server_config.min_version: expected one of TLS12, TLS13"],
    [
      "http_server_config:\n  headers:\n    'bad name': x\n",
      "http_server_config.headers.bad name: not a valid header name",
    ],
    ["basic_auth_users:\n  alice: secret\n", "basic_auth_users.alice: expected a bcrypt hash"],
    [
      `basic_auth_users:\n  a: ${HASH}\npushprox:\n  clients:\n    b: [x]\n`,
      "pushprox.clients.b: no such user in basic_auth_users",
    ],
    [
      `basic_auth_users:\n  a: ${HASH}\npushprox:\n  scrapers: [a]\n  clients:\n    a: [x]\n`,
      'pushprox.scrapers: user "a" is also a client; use two users',
    ],
    [
      `basic_auth_users:\n  a: ${HASH}\npushprox:\n  clients:\n    a: ["bad name"]\n`,
      "pushprox.clients.a.0: expected a host name, *.domain",
    ],
  ];
  for (const [text, message] of bad) {
    it(`parseWebConfig() refuses ${JSON.stringify(text.slice(0, 40))} in one line naming file and key`, () => {
      assert.throws(() => parseWebConfig("/etc/web.yml", text), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.ok(
          error.message.startsWith(`Cannot load web config "/etc/web.yml": ${message}`),
          error.message,
        );
        assert.ok(!error.message.includes("\n"), error.message);
        return true;
      });
    });
  }
});
