/**
 * Test-only TLS material: a throwaway CA and a certificate it signs for 127.0.0.1, made fresh with openssl
 * for each test run so that no private key lives in the repository.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts: the CA's certificate, and the server's certificate and key. */
export interface TestTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a CA and a server certificate for IP 127.0.0.1 (valid one day). Needs `openssl` on PATH. */
export function makeTestTls(): TestTls {
  const dir = mkdtempSync(join(tmpdir(), "pushprox-tls-"));
  try {
    const file = (name: string) => join(dir, name);
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
    // rustls (Deno) refuses a self-signed certificate used directly by a server, so the leaf is CA-signed.
    openssl([
      "req",
      "-x509",
      ...ec,
      "-days",
      "1",
      "-subj",
      "/CN=pushprox test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.pem"),
    ]);
    openssl(["req", ...ec, "-subj", "/CN=127.0.0.1", "-keyout", file("key.pem"), "-out", file("leaf.csr")]);
    writeFileSync(file("leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    openssl([
      "x509",
      "-req",
      "-in",
      file("leaf.csr"),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      file("leaf.ext"),
      "-out",
      file("cert.pem"),
    ]);
    return {
      ca: readFileSync(file("ca.pem"), "utf8"),
      cert: readFileSync(file("cert.pem"), "utf8"),
      key: readFileSync(file("key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
