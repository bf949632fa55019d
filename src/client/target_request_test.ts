import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_SCRAPE_TIMEOUT_MS,
  formatRemainingSeconds,
  forwardedHeaderLines,
  hostMatchesFqdn,
  scrapeBudgetMs,
  scrapeTimeoutMs,
  targetUrl,
} from "./target_request.ts";

describe("hostMatchesFqdn()", () => {
  it("hostMatchesFqdn() ignores case and the port", () => {
    assert.equal(
      hostMatchesFqdn(new URL("http://Node1.Example.com:9100/metrics"), "node1.example.COM"),
      true,
    );
  });

  it("hostMatchesFqdn() ignores a trailing root dot on either side", () => {
    assert.equal(hostMatchesFqdn(new URL("http://node1.example.:9100/"), "node1.example"), true);
    assert.equal(hostMatchesFqdn(new URL("http://node1.example:9100/"), "node1.example."), true);
  });

  it("hostMatchesFqdn() rejects another host", () => {
    assert.equal(hostMatchesFqdn(new URL("http://node2.example:9100/"), "node1.example"), false);
  });

  it("hostMatchesFqdn() matches an IPv6 literal given with or without brackets", () => {
    assert.equal(hostMatchesFqdn(new URL("http://[::1]:9100/"), "::1"), true);
    assert.equal(hostMatchesFqdn(new URL("http://[::1]:9100/"), "[::1]"), true);
  });
});

describe("targetUrl()", () => {
  it("targetUrl() switches to https and drops _scheme=https", () => {
    assert.equal(targetUrl(new URL("http://h:9100/metrics?_scheme=https")).href, "https://h:9100/metrics");
  });

  it("targetUrl() keeps the other parameters byte for byte", () => {
    const url = new URL("http://h:9100/probe?target=a%2Fb&_scheme=https&module=x+y&z");
    assert.equal(targetUrl(url).href, "https://h:9100/probe?target=a%2Fb&module=x+y&z");
  });

  it("targetUrl() leaves a URL without _scheme=https unchanged", () => {
    for (
      const href of ["http://h:9100/metrics", "http://h:9100/m?_scheme=http", "http://h:9100/m?a=1&b=%2F"]
    ) {
      assert.equal(targetUrl(new URL(href)).href, href);
    }
  });

  it("targetUrl() recognises an encoded _scheme name", () => {
    assert.equal(targetUrl(new URL("http://h:9100/m?%5Fscheme=https")).href, "https://h:9100/m");
  });
});

describe("scrapeTimeoutMs()", () => {
  const header = (value: string) => [["X-Prometheus-Scrape-Timeout-Seconds", value] as const];

  it("scrapeTimeoutMs() reads float seconds", () => {
    assert.equal(scrapeTimeoutMs(header("1")), 1000);
    assert.equal(scrapeTimeoutMs(header("4.5")), 4500);
    assert.equal(scrapeTimeoutMs([["x-prometheus-scrape-timeout-seconds", " 0.25 "]]), 250);
  });

  it("scrapeTimeoutMs() falls back to 15 s when the header is missing", () => {
    assert.equal(scrapeTimeoutMs([["Accept", "*/*"]]), 15_000);
    assert.equal(DEFAULT_SCRAPE_TIMEOUT_MS, 15_000);
  });

  it("scrapeTimeoutMs() falls back to 15 s for an unparseable or non-positive value", () => {
    for (const value of ["", "banana", "-1", "0", "1s", "0x10", "Infinity", "1e400"]) {
      assert.equal(scrapeTimeoutMs(header(value)), 15_000, `value ${JSON.stringify(value)}`);
    }
  });
});

describe("scrapeBudgetMs()", () => {
  it("scrapeBudgetMs() keeps 10% of the timeout for the error push", () => {
    assert.equal(scrapeBudgetMs(5000), 4500);
  });

  it("scrapeBudgetMs() keeps at least 100 ms and at most 1 s", () => {
    assert.equal(scrapeBudgetMs(500), 400);
    assert.equal(scrapeBudgetMs(60_000), 59_000);
  });

  it("scrapeBudgetMs() never keeps more than half of a tiny timeout", () => {
    assert.equal(scrapeBudgetMs(100), 50);
  });
});

describe("forwardedHeaderLines()", () => {
  it("forwardedHeaderLines() drops hop-by-hop headers, Host and Content-Length, keeping order", () => {
    const lines = forwardedHeaderLines([
      ["Host", "h:9100"],
      ["User-Agent", "Prometheus/2.42.0"],
      ["Proxy-Connection", "Keep-Alive"],
      ["Accept-Encoding", "gzip"],
      ["TE", "trailers"],
      ["Id", "abc"],
      ["Transfer-Encoding", "chunked"],
      ["Content-Length", "0"],
      ["X-Prometheus-Scrape-Timeout-Seconds", "1"],
    ]);
    assert.deepEqual(lines, [
      ["User-Agent", "Prometheus/2.42.0"],
      ["Accept-Encoding", "gzip"],
      ["Id", "abc"],
      ["X-Prometheus-Scrape-Timeout-Seconds", "1"],
    ]);
  });

  it("forwardedHeaderLines() drops headers that Connection names", () => {
    const lines = forwardedHeaderLines([["Connection", "close, X-Secret"], ["x-secret", "1"], [
      "Accept",
      "*/*",
    ]]);
    assert.deepEqual(lines, [["Accept", "*/*"]]);
  });
});

describe("formatRemainingSeconds()", () => {
  it("formatRemainingSeconds() writes six decimals like upstream", () => {
    assert.equal(formatRemainingSeconds(4991.057), "4.991057");
    assert.equal(formatRemainingSeconds(1000), "1.000000");
  });

  it("formatRemainingSeconds() never goes below zero", () => {
    assert.equal(formatRemainingSeconds(-5), "0.000000");
  });
});
