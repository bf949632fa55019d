import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readServerTls, watchServerTls } from "./tls_files.ts";
import { FakeTimers } from "../fake_timers.ts";
import type { ServerTls } from "../../runtime/types.ts";
import type { TlsServerSettings } from "./load.ts";

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
    const { read } = files({ "/c.pem": "C", "/k.pem": "K", "/ca.pem": "CA" });
    assert.deepEqual(await readServerTls(settings, read), {
      cert: "C",
      key: "K",
      ca: "CA",
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
    });
  });

  it("readServerTls() names the key and path of a file it cannot read", async () => {
    const { read } = files({ "/c.pem": "C" });
    await assert.rejects(readServerTls(settings, read), {
      name: "TypeError",
      message: 'Cannot read tls_server_config.key_file "/k.pem": No such file',
    });
  });
});

describe("watchServerTls()", () => {
  it("watchServerTls() applies changed files, keeps the old material while new material fails, logs a problem once", async () => {
    const { contents, read } = files({ "/c.pem": "C1", "/k.pem": "K1", "/ca.pem": "CA" });
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
      apply: (tls: ServerTls) =>
        tls.cert.at(-1) === tls.key.at(-1)
          ? Promise.resolve(void applied.push(tls.cert))
          : Promise.reject(new Error("key does not match certificate")),
      onChanged: () => {},
      onFailed: (error) => problems.push(error.message),
    });
    const tick = async () => {
      timers.advance(1000);
      await flush();
    };
    await tick();
    assert.deepEqual(applied, []); // unchanged files: nothing to do
    contents.set("/c.pem", "C2"); // half-way through a rotation: new certificate, old key
    await tick();
    await tick();
    assert.deepEqual(applied, []);
    assert.deepEqual(problems, ["key does not match certificate"]);
    contents.set("/k.pem", "K2");
    await tick();
    assert.deepEqual(applied, ["C2"]);
    stop();
    assert.equal(timers.armed, 0);
  });
});
