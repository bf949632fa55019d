import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectUrl, DEFAULT_SCRAPE_RULES, refuseScrape, type ScrapeRules } from "./scrape_rules.ts";

const ports = (...list: number[]): ScrapeRules => ({ ...DEFAULT_SCRAPE_RULES, allowedPorts: new Set(list) });

describe("refuseScrape()", () => {
  it("refuseScrape() lets a GET or HEAD to any port through by default", () => {
    for (const method of ["GET", "HEAD"]) {
      for (const url of ["http://h:9100/metrics", "http://h:22/", "https://h/metrics"]) {
        assert.equal(refuseScrape(DEFAULT_SCRAPE_RULES, method, new URL(url)), null, `${method} ${url}`);
      }
    }
  });

  it("refuseScrape() refuses DELETE, PUT and POST by default, naming the method and --allow-method", () => {
    for (const method of ["DELETE", "PUT", "POST"]) {
      assert.deepEqual(refuseScrape(DEFAULT_SCRAPE_RULES, method, new URL("http://h:9100/api/admin")), {
        reason: `method ${method} not allowed by --allow-method`,
        message: `refusing to scrape http://h:9100/api/admin: method ${method} not allowed by --allow-method`,
      });
    }
  });

  it("refuseScrape() compares methods without regard to case", () => {
    assert.equal(refuseScrape(DEFAULT_SCRAPE_RULES, "get", new URL("http://h:9100/")), null);
    assert.notEqual(refuseScrape(DEFAULT_SCRAPE_RULES, "delete", new URL("http://h:9100/")), null);
  });

  it("refuseScrape() lets any method through when allowedMethods is null", () => {
    assert.equal(
      refuseScrape({ ...DEFAULT_SCRAPE_RULES, allowedMethods: null }, "DELETE", new URL("http://h/")),
      null,
    );
  });

  it("refuseScrape() refuses a port outside --allow-port, naming port, target and flag", () => {
    assert.deepEqual(refuseScrape(ports(9100, 9256), "GET", new URL("http://h.example:22/metrics")), {
      reason: "port 22 not allowed by --allow-port",
      message: "refusing to scrape http://h.example:22/metrics: port 22 not allowed by --allow-port",
    });
    assert.equal(refuseScrape(ports(9100, 9256), "GET", new URL("http://h.example:9256/metrics")), null);
  });

  it("refuseScrape() checks the scheme's default port when the URL names none", () => {
    assert.equal(
      refuseScrape(ports(9100), "GET", new URL("http://h/metrics"))?.reason,
      "port 80 not allowed by --allow-port",
    );
    assert.equal(refuseScrape(ports(443), "GET", new URL("https://h/metrics")), null);
  });

  it("refuseScrape() escapes a method that could not stand in a status line", () => {
    const refusal = refuseScrape(DEFAULT_SCRAPE_RULES, "GE\x7fT", new URL("http://h:9100/"));
    assert.equal(refusal?.reason, 'method "GE\\x7fT" not allowed by --allow-method');
  });
});

describe("connectUrl()", () => {
  it("connectUrl() keeps the URL without --use-localhost", () => {
    const url = new URL("http://h.example:9100/metrics");
    assert.equal(connectUrl(DEFAULT_SCRAPE_RULES, url), url);
  });

  it("connectUrl() moves the URL to 127.0.0.1 with --use-localhost, keeping scheme, port, path and query", () => {
    const url = new URL("https://h.example:9100/probe?target=a%2Fb");
    const local = connectUrl({ ...DEFAULT_SCRAPE_RULES, useLocalhost: true }, url);
    assert.equal(local.href, "https://127.0.0.1:9100/probe?target=a%2Fb");
    assert.equal(url.href, "https://h.example:9100/probe?target=a%2Fb", "the given URL is untouched");
  });
});
