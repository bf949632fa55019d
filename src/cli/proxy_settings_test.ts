import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseProxyFlags } from "./proxy_flags.ts";
import { proxyName, proxySettings } from "./proxy_settings.ts";

describe("proxySettings()", () => {
  it("proxySettings() lists the defaults as the flags would give them", () => {
    const parsed = parseProxyFlags([]);
    if (parsed.kind !== "run") return assert.fail("expected a run command");
    assert.deepEqual(Object.fromEntries(proxySettings(parsed.config)), {
      "web.listen-address": ":8080",
      "scrape.max-timeout": "5m",
      "scrape.default-timeout": "15s",
      "registration.timeout": "5m",
      "poll.idle-timeout": "25s",
      "scrape.max-body-size": "128MiB",
      "shutdown.timeout": "10s",
      "registration.max-clients": "100000",
      "log.level": "info",
      "log.format": "logfmt",
    });
  });

  it("proxyName() names the host's FQDN for a proxy listening everywhere, else its listen host", () => {
    assert.equal(proxyName({ hostname: "", port: 8080 }, "bastion.example.com"), "bastion.example.com:8080");
    assert.equal(proxyName({ hostname: "10.0.0.5", port: 80 }, "bastion"), "10.0.0.5:80");
    assert.equal(proxyName({ hostname: "::1", port: 8080 }, "bastion"), "[::1]:8080");
  });
});
