import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toPeerCertificate } from "./peer_certificate.ts";

describe("toPeerCertificate()", () => {
  it("toPeerCertificate() takes DNS and IP names from node:tls's subjectaltname", () => {
    const peer = toPeerCertificate(
      {
        subject: { CN: "host1" },
        subjectaltname:
          "DNS:Host1.Example.com, IP Address:10.0.0.7, IP Address:FD00:0:0:0:0:0:0:1, email:a@b",
        fingerprint256: "AA:BB",
      },
      true,
      "",
    );
    assert.deepEqual(peer, {
      verified: true,
      verifyError: "",
      commonName: "host1",
      fingerprint: "AA:BB",
      dnsNames: ["host1.example.com"],
      ipAddresses: ["10.0.0.7", "fd00::1"],
    });
  });

  it("toPeerCertificate() gives null when the peer sent no certificate (an empty object)", () => {
    assert.equal(toPeerCertificate({}, false, "UNABLE_TO_GET_ISSUER_CERT"), null);
    assert.equal(toPeerCertificate(null, false, ""), null);
  });

  it("toPeerCertificate() keeps why an unverified certificate failed", () => {
    const peer = toPeerCertificate({ fingerprint256: "AA" }, false, "self-signed certificate");
    assert.equal(peer?.verifyError, "self-signed certificate");
    assert.deepEqual(peer?.dnsNames, []);
  });
});
