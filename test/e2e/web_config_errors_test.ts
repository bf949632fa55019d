/**
 * A web config file or client credentials file the programs cannot use: one line naming the file, the key
 * and the problem, exit 1 (proxy) or 2 (client, as for its other flags), and no password echoed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { selectedImplementation } from "../support/pushprox.ts";

describe(`unusable web config and credentials files (${selectedImplementation()})`, () => {
  const h = new Harness();
  const dir = mkdtempSync(join(tmpdir(), "pushprox-webcfg-"));
  after(async () => {
    await h.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  const cases: [name: string, text: string | null, expected: (path: string) => string][] = [
    ["missing.yml", null, (path) => `proxy: Cannot read web config "${path}": `],
    [
      "yaml.yml",
      "tls_server_config: [\n",
      (path) => `proxy: Cannot load web config "${path}": not valid YAML: `,
    ],
    [
      "cipher.yml",
      "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
      (path) => `proxy: Cannot load web config "${path}": tls_server_config.cipher_suites: not supported`,
    ],
    [
      "hash.yml",
      "basic_auth_users:\n  prometheus: s3cret\n",
      (path) =>
        `proxy: Cannot load web config "${path}": basic_auth_users.prometheus: expected a bcrypt hash`,
    ],
    [
      "nocert.yml",
      `tls_server_config:\n  cert_file: ${join(dir, "absent.pem")}\n  key_file: k.pem\n`,
      () => `proxy: Cannot read tls_server_config.cert_file "${join(dir, "absent.pem")}": `,
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(`proxy: ${name} stops the start in one line naming file and key, exit 1`, async () => {
      const path = text === null ? join(dir, name) : file(name, text);
      const result = await h.run("proxy", ["--web.listen-address=127.0.0.1:0", `--web.config.file=${path}`]);
      assert.equal(result.code, 1, result.logs);
      assert.ok(result.stderr.startsWith(expected(path)), result.logs);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.logs);
      assert.doesNotMatch(result.stderr, /s3cret/);
    });
  }

  it("client: a credentials file without user:password is refused without quoting it, exit 2", async () => {
    const path = file("client.auth", "s3cret\n");
    const result = await h.run("client", [
      "--proxy-url=https://127.0.0.1:1/",
      "--fqdn=x",
      `--proxy.auth.file=${path}`,
    ]);
    assert.equal(result.code, 2, result.logs);
    assert.equal(
      result.stderr,
      `client: cannot use --proxy.auth.file "${path}": expected one line user:password\n`,
    );
  });

  it("client: never logs or echoes the password of --proxy-url's user info", async () => {
    const bad = await h.run("client", ["--proxy-url=ftp://host1:s3cret@proxy.example/", "--fqdn=x"]);
    assert.equal(bad.code, 2, bad.logs);
    assert.match(bad.stderr, /invalid value "ftp:\/\/proxy\.example\/"/);
    assert.doesNotMatch(bad.stderr, /s3cret/);
    const client = await h.startClient(["--proxy-url=https://host1:s3cret@127.0.0.1:1/", "--fqdn=x"], {
      waitFor: "started",
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a start line and a failed poll or two
    await client.stop();
    // The process' own output (the harness' logs() also show its command line, which holds the password).
    const output = client.process.stdout + client.process.stderr;
    assert.match(output, /proxy_url=https:\/\/127\.0\.0\.1:1\//);
    assert.match(output, /Poll failed/);
    assert.doesNotMatch(output, /s3cret/);
  });
});
