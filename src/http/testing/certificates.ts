/**
 * Certificates made at test time with `openssl` (no private key lives in the repository): a CA, and leaf
 * certificates it signs for a server or a client, with the subjectAltNames a test needs.
 * @module
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A CA: its certificate and key files. */
export interface TestCa {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A leaf certificate and its key, as files. */
export interface TestLeaf {
  readonly certFile: string;
  readonly keyFile: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });

/** Makes a CA named `name` in `dir` (valid one day). */
export function makeCa(dir: string, name: string): TestCa {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  openssl([
    "req",
    "-x509",
    ...EC,
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ]);
  return { certFile, keyFile };
}

/**
 * Makes a certificate for `sans` (`IP:127.0.0.1`, `DNS:host.example`) signed by `ca`, written as
 * `<name>.pem` and `<name>.key` in `dir`.
 */
export function makeLeaf(dir: string, ca: TestCa, name: string, sans: readonly string[]): TestLeaf {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(["req", ...EC, "-subj", `/CN=${name}`, "-keyout", keyFile, "-out", csr]);
  writeFileSync(ext, `subjectAltName=${sans.join(",")}\nbasicConstraints=CA:FALSE\n`);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.certFile,
    "-CAkey",
    ca.keyFile,
    "-set_serial",
    String(Math.floor(Math.random() * 2 ** 48)),
    "-days",
    "1",
    "-extfile",
    ext,
    "-out",
    certFile,
  ]);
  return { certFile, keyFile };
}

/** The serial number (hex) of the certificate a TLS server at 127.0.0.1:`port` presents, via `openssl s_client`. */
export function servedSerial(port: number, caFile: string): string {
  const served = execFileSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", caFile], {
    input: "",
    stdio: ["pipe", "pipe", "ignore"],
    timeout: 5000,
  });
  const serial = execFileSync("openssl", ["x509", "-noout", "-serial"], { input: served });
  return serial.toString().trim().replace(/^serial=/, "");
}

/** The serial number (hex) of a certificate file. */
export function fileSerial(certFile: string): string {
  return execFileSync("openssl", ["x509", "-noout", "-serial", "-in", certFile]).toString().trim().replace(
    /^serial=/,
    "",
  );
}
