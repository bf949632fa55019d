import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "../metrics/registry.ts";
import { createClientMetrics, createClientMetricsPerProxy } from "./client_metrics.ts";

describe("createClientMetrics()", () => {
  it("createClientMetrics() exposes upstream's three counter names, from the start", () => {
    const registry = new Registry();
    const metrics = createClientMetrics(registry);
    assert.match(registry.render(), /^pushprox_client_scrape_errors_total 0$/m);
    metrics.failed("poll");
    metrics.failed("poll");
    metrics.failed("push");
    const text = registry.render();
    assert.match(text, /^pushprox_client_poll_errors_total 2$/m);
    assert.match(text, /^pushprox_client_push_errors_total 1$/m);
    assert.match(text, /^# TYPE pushprox_client_scrape_errors_total counter$/m);
  });

  it("createClientMetrics() counts a failed scrape under upstream's counter and under its kind", () => {
    const registry = new Registry();
    const metrics = createClientMetrics(registry);
    metrics.failed("unreachable");
    metrics.failed("timeout");
    metrics.failed("timeout");
    const text = registry.render();
    assert.match(text, /^pushprox_client_scrape_errors_total 3$/m);
    assert.match(text, /^pushprox_client_errors_total\{kind="unreachable"\} 1$/m);
    assert.match(text, /^pushprox_client_errors_total\{kind="timeout"\} 2$/m);
    assert.match(text, /^pushprox_client_errors_total\{kind="wrong_host"\} 0$/m);
  });

  it("createClientMetrics() counts scrapes and shows when a poll last got an answer", () => {
    const registry = new Registry();
    let wallMs = 1_700_000_000_500;
    const metrics = createClientMetrics(registry, () => wallMs);
    assert.match(registry.render(), /^pushprox_client_last_poll_success_timestamp_seconds 0$/m);
    metrics.polled();
    metrics.scrapeTaken();
    wallMs += 1000;
    const text = registry.render();
    assert.match(text, /^pushprox_client_last_poll_success_timestamp_seconds 1700000000\.5$/m);
    assert.match(text, /^pushprox_client_scrapes_total 1$/m);
  });
});

describe("createClientMetricsPerProxy()", () => {
  it("createClientMetricsPerProxy() with one proxy renders exactly what createClientMetrics() does", () => {
    const alone = new Registry();
    createClientMetrics(alone, () => 0).failed("poll");
    const perProxy = new Registry();
    const [only] = createClientMetricsPerProxy(perProxy, ["http://proxy:8080/"], () => 0);
    only!.failed("poll");
    assert.equal(perProxy.render(), alone.render());
    assert.doesNotMatch(perProxy.render(), /proxy=/);
  });

  it("createClientMetricsPerProxy() counts each proxy under its own proxy label, all shown from the start", () => {
    const registry = new Registry();
    const [a, b] = createClientMetricsPerProxy(registry, ["http://proxy-a:8080/", "http://proxy-b:8080/"]);
    a!.failed("poll");
    a!.failed("poll");
    b!.failed("unreachable");
    const text = registry.render();
    assert.match(text, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-a:8080\/"\} 2$/m);
    assert.match(text, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-b:8080\/"\} 0$/m);
    assert.match(text, /^pushprox_client_scrape_errors_total\{proxy="http:\/\/proxy-b:8080\/"\} 1$/m);
    assert.match(text, /^pushprox_client_push_errors_total\{proxy="http:\/\/proxy-a:8080\/"\} 0$/m);
    assert.match(
      text,
      /^pushprox_client_errors_total\{kind="unreachable",proxy="http:\/\/proxy-b:8080\/"\} 1$/m,
    );
    assert.match(
      text,
      /^pushprox_client_last_poll_success_timestamp_seconds\{proxy="http:\/\/proxy-a:8080\/"\} 0$/m,
    );
    assert.equal(text.match(/^# TYPE pushprox_client_poll_errors_total counter$/gm)?.length, 1);
  });
});
