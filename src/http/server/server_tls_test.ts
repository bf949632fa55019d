/**
 * The two servers' TLS listeners with client certificates and rotation, on whichever runtime runs the test:
 * serveBunRaw (Bun only) and serveNodeHttp (both; Bun's node:https cannot show client certificates).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { serveBunRaw } from "./server.ts";
import { serveNodeHttp } from "./node_server.ts";
import { bunListen } from "../../runtime/bun/sockets.ts";
import { makeCa, makeLeaf } from "../testing/certificates.ts";
import type { Handler, ServeOptions, Server, ServerTls } from "../../runtime/types.ts";

const onBun = "Bun" in globalThis;
const dir = mkdtempSync(join(tmpdir(), "pushprox-server-tls-"));
const ca = makeCa(dir, "ca");
const otherCa = makeCa(dir, "other-ca");
const read = (path: string) => readFileSync(path, "utf8");
const leaf = (name: string, sans: string[], by = ca) => {
  const files = makeLeaf(dir, by, name, sans);
  return { cert: read(files.certFile), key: read(files.keyFile) };
};
const first = leaf("server-1", ["IP:127.0.0.1"]);
const second = leaf("server-2", ["IP:127.0.0.1"]);
const client = leaf("client", ["DNS:Host1.Example.com", "IP:10.0.0.7"]);
const foreign = leaf("foreign", ["DNS:host1.example.com"], otherCa);

const tlsOf = (pair: { cert: string; key: string }): ServerTls => ({
  ...pair,
  ca: read(ca.certFile),
  requestCert: true,
  rejectUnauthorized: false,
});

/** What the handler saw of the peer's certificate. */
const describePeer: Handler = (_request, info) =>
  new Response(JSON.stringify(
    info.peerCertificate === null || info.peerCertificate === undefined
      ? { peer: String(info.peerCertificate) }
      : {
        verified: info.peerCertificate.verified,
        dns: info.peerCertificate.dnsNames,
        ip: info.peerCertificate.ipAddresses,
      },
  ));

/** GET / with an optional client certificate; resolves with the body and the served certificate's serial. */
function get(port: number, pair?: { cert: string; key: string }): Promise<{ body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get({
      host: "127.0.0.1",
      port,
      path: "/",
      ca: read(ca.certFile),
      cert: pair?.cert,
      key: pair?.key,
      agent: false,
    }, (response) => {
      let body = "";
      const serial = (response.socket as unknown as { getPeerCertificate(): { serialNumber: string } })
        .getPeerCertificate().serialNumber;
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => body += chunk);
      response.on("end", () => resolve({ body, serial }));
    });
    request.on("error", reject);
  });
}

const servers: [
  name: string,
  serve: (options: ServeOptions) => Promise<Server>,
  skip: boolean,
  certificates: boolean,
][] = [
  ["serveBunRaw()", (options) => serveBunRaw(options, bunListen), !onBun, true],
  ["serveNodeHttp()", (options) => serveNodeHttp(options), false, !onBun],
];

after(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, serve, skip, certificates] of servers) {
  describe(`${name} over TLS`, { skip }, () => {
    const noCertificates = certificates ? false : "Bun's node:https shows no client certificates";
    it(`${name} shows the handler a client certificate's names and whether it verified`, {
      skip: noCertificates,
    }, async () => {
      const server = await serve({
        hostname: "127.0.0.1",
        port: 0,
        tls: tlsOf(first),
        handler: describePeer,
      });
      try {
        assert.deepEqual(JSON.parse((await get(server.port, client)).body), {
          verified: true,
          dns: ["host1.example.com"],
          ip: ["10.0.0.7"],
        });
        assert.equal(JSON.parse((await get(server.port, foreign)).body).verified, false);
        assert.deepEqual(JSON.parse((await get(server.port)).body), { peer: "null" });
      } finally {
        await server.close();
      }
    });

    it(`${name} serves a new certificate to new connections after updateTls()`, async () => {
      const server = await serve({
        hostname: "127.0.0.1",
        port: 0,
        tls: tlsOf(first),
        handler: describePeer,
      });
      try {
        const before = (await get(server.port)).serial;
        await server.updateTls!(tlsOf(second));
        const afterUpdate = (await get(server.port)).serial;
        assert.notEqual(afterUpdate, before);
        // Broken material is refused and the current certificate stays (a mismatched pair is caught
        // before it gets here, in tls_files.ts, since Deno's setSecureContext would take it).
        await assert.rejects(server.updateTls!({ ...tlsOf(second), cert: "not a certificate" }));
        assert.equal((await get(server.port)).serial, afterUpdate);
      } finally {
        await server.close();
      }
    });
  });
}
