import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readServerTls, watchServerTls } from "./tls_files.ts";
import { FakeTimers } from "../fake_timers.ts";
import type { ServerTls } from "../../runtime/types.ts";
import type { TlsServerSettings } from "./load.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { makeCa, makeLeaf } from "../../http/testing/certificates.ts";

const dir = mkdtempSync(join(tmpdir(), "pushprox-tls-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ca = makeCa(dir, "ca");
const pem = (name: string) => {
  const files = makeLeaf(dir, ca, name, ["IP:127.0.0.1"]);
  return { cert: readFileSync(files.certFile, "utf8"), key: readFileSync(files.keyFile, "utf8") };
};
const one = pem("one");
const two = pem("two");

const settings: TlsServerSettings = {
  certFile: "/c.pem",
  keyFile: "/k.pem",
  clientAuth: "VerifyClientCertIfGiven",
  clientCaFile: "/ca.pem",
  minVersion: "TLS12",
};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function files(initial: Record<string, string>) {
  const contents = new Map(Object.entries(initial));
  const read = (path: string) => {
    const text = contents.get(path);
    return text === undefined ? Promise.reject(new Error("No such file")) : Promise.resolve(text);
  };
  return { contents, read };
}

describe("readServerTls()", () => {
  it("readServerTls() reads the three files and maps client_auth_type to the listener's policy", async () => {
    const { read } = files({ "/c.pem": one.cert, "/k.pem": one.key, "/ca.pem": "CA" });
    assert.deepEqual(await readServerTls(settings, read), {
      cert: one.cert,
      key: one.key,
      ca: "CA",
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
    });
  });

  it("readServerTls() refuses a key that is not the certificate's", async () => {
    const { read } = files({ "/c.pem": one.cert, "/k.pem": two.key, "/ca.pem": "CA" });
    await assert.rejects(readServerTls(settings, read), {
      name: "TypeError",
      message: 'Cannot use tls_server_config.key_file "/k.pem": it is not the key of cert_file "/c.pem"',
    });
  });

  it("readServerTls() names the key and path of a file it cannot read", async () => {
    const { read } = files({ "/c.pem": one.cert });
    await assert.rejects(readServerTls(settings, read), {
      name: "TypeError",
      message: 'Cannot read tls_server_config.key_file "/k.pem": No such file',
    });
  });
});

describe("watchServerTls()", () => {
  it("watchServerTls() applies changed files, keeps the old material while new material fails, logs a problem once", async () => {
    const { contents, read } = files({ "/c.pem": one.cert, "/k.pem": one.key, "/ca.pem": "CA" });
    const timers = new FakeTimers();
    const applied: string[] = [];
    const problems: string[] = [];
    const current = await readServerTls(settings, read);
    const stop = watchServerTls({
      settings,
      read,
      timers,
      current,
      intervalMs: 1000,
      apply: (tls: ServerTls) => Promise.resolve(void applied.push(tls.cert)),
      onChanged: () => {},
      onFailed: (error) => problems.push(error.message),
    });
    const tick = async () => {
      timers.advance(1000);
      await flush();
    };
    await tick();
    assert.deepEqual(applied, []); // unchanged files: nothing to do
    contents.set("/c.pem", two.cert); // half-way through a rotation: new certificate, old key
    await tick();
    await tick();
    assert.deepEqual(applied, []);
    assert.deepEqual(problems, [
      'Cannot use tls_server_config.key_file "/k.pem": it is not the key of cert_file "/c.pem"',
    ]);
    contents.set("/k.pem", two.key);
    await tick();
    assert.deepEqual(applied, [two.cert]);
    stop();
    assert.equal(timers.armed, 0);
  });
});
