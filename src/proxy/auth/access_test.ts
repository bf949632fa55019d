import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ConnInfo, PeerCertificate } from "../../runtime/types.ts";
import { AccessControl, AccessDenied, type ClientPrincipal } from "./access.ts";
import { PasswordCheck } from "./password_check.ts";
import type { AccessSettings } from "../web_config/load.ts";
import type { ClientAuthType } from "../web_config/schema.ts";

// Plain-text "hashes" and an equality compare: the roles are under test here, bcrypt in password_check_test.
const settings: AccessSettings = {
  users: new Map([["prometheus", "prom-pw"], ["web", "web-pw"]]),
  scrapers: new Set(["prometheus"]),
  clients: new Map([["web", ["*.web.example.com"]]]),
  certificateNames: true,
};
const passwords = new PasswordCheck(settings.users, { compare: (pw, hash) => Promise.resolve(pw === hash) });
const control = (clientAuth: ClientAuthType = "VerifyClientCertIfGiven", access = settings) =>
  new AccessControl({ settings: access, clientAuth, passwords });

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const request = (headers: Record<string, string> = {}) => new Request("https://proxy/poll", { headers });
const conn = (peerCertificate: PeerCertificate | null = null): ConnInfo => ({
  absoluteForm: false,
  remoteAddress: "10.0.0.1",
  peerCertificate,
});
const certificate = (overrides: Partial<PeerCertificate> = {}): PeerCertificate => ({
  verified: true,
  verifyError: "",
  commonName: "host1",
  fingerprint: "AB:CD",
  dnsNames: ["host1.example.com", "*.pods.example.com"],
  ipAddresses: ["10.0.0.7"],
  ...overrides,
});

async function denied(result: unknown, status: number, message: RegExp): Promise<void> {
  const settled = await result;
  assert.ok(settled instanceof AccessDenied, `expected a refusal, got ${JSON.stringify(settled)}`);
  assert.equal(settled.status, status);
  assert.match(settled.message, message);
}

describe("AccessControl", () => {
  it("AccessControl lets a scraper scrape (Proxy-Authorization) and read pages (Authorization)", async () => {
    const access = control();
    assert.equal(
      await access.scraper(request({ "proxy-authorization": basic("prometheus", "prom-pw") }), conn()),
      null,
    );
    assert.equal(
      await access.reader(request({ authorization: basic("prometheus", "prom-pw") }), conn()),
      null,
    );
  });

  it("AccessControl answers 407 with Proxy-Authenticate to a scrape without or with wrong credentials", async () => {
    const access = control();
    await denied(access.scraper(request(), conn()), 407, /no proxy-authorization basic credentials/);
    // Credentials in the wrong header do not count for a scrape.
    await denied(
      access.scraper(request({ authorization: basic("prometheus", "prom-pw") }), conn()),
      407,
      /no proxy/,
    );
    const wrong = await access.scraper(
      request({ "proxy-authorization": basic("prometheus", "nope") }),
      conn(),
    );
    await denied(wrong, 407, /wrong user name or password \(user "prometheus"\)/);
    assert.match(
      (wrong as AccessDenied).toResponse().headers.get("proxy-authenticate")!,
      /^Basic realm="pushprox"/,
    );
  });

  it("AccessControl answers 401 with WWW-Authenticate to a page request without credentials", async () => {
    const refused = await control().reader(request(), conn());
    await denied(refused, 401, /no authorization basic credentials/);
    assert.match((refused as AccessDenied).toResponse().headers.get("www-authenticate")!, /^Basic realm=/);
  });

  it("AccessControl keeps roles apart: a client cannot scrape or read pages, a scraper cannot poll", async () => {
    const access = control();
    await denied(
      access.scraper(request({ "proxy-authorization": basic("web", "web-pw") }), conn()),
      403,
      /not a scraper/,
    );
    await denied(
      access.reader(request({ authorization: basic("web", "web-pw") }), conn()),
      403,
      /not a scraper/,
    );
    await denied(
      access.client(request({ authorization: basic("prometheus", "prom-pw") }), conn()),
      403,
      /not a client/,
    );
  });

  it("AccessControl gives a client user the names of its patterns", async () => {
    const principal = await control().client(
      request({ authorization: basic("web", "web-pw") }),
      conn(),
    ) as ClientPrincipal;
    assert.equal(principal.id, "user:web");
    assert.equal(principal.mayRegister("a.web.example.com"), true);
    assert.equal(principal.mayRegister("web.example.com"), false);
    assert.equal(principal.mayRegister("db.example.com"), false);
  });

  it("AccessControl gives a verified certificate the DNS and IP names of its SANs", async () => {
    const principal = await control().client(request(), conn(certificate())) as ClientPrincipal;
    assert.equal(principal.id, "cert:AB:CD");
    for (const name of ["host1.example.com", "10.0.0.7", "a.pods.example.com"]) {
      assert.equal(principal.mayRegister(name), true, name);
    }
    // A wildcard SAN covers one label, as in TLS name checks.
    for (const name of ["host2.example.com", "a.b.pods.example.com", "pods.example.com"]) {
      assert.equal(principal.mayRegister(name), false, name);
    }
  });

  it("AccessControl refuses an unverified certificate and a client without any credential", async () => {
    const access = control();
    await denied(
      access.client(request(), conn(certificate({ verified: false, verifyError: "self signed" }))),
      403,
      /client certificate "host1" not verified: self signed/,
    );
    await denied(access.client(request(), conn()), 401, /client authentication required/);
  });

  it("AccessControl with RequireAnyClientCert refuses a connection without a certificate", async () => {
    await denied(
      control("RequireAnyClientCert").reader(request(), conn()),
      403,
      /client certificate is required/,
    );
  });

  it("AccessControl without users leaves scrapes and pages open but still binds certificate clients", async () => {
    const access = control("RequireAndVerifyClientCert", {
      ...settings,
      users: new Map(),
      scrapers: new Set(),
    });
    assert.equal(await access.scraper(request(), conn(certificate())), null);
    assert.equal(await access.reader(request(), conn(certificate())), null);
    const principal = await access.client(request(), conn(certificate())) as ClientPrincipal;
    assert.equal(principal.mayRegister("host2.example.com"), false);
  });
});
