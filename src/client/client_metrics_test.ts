import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "../metrics/registry.ts";
import { createClientMetrics, createClientMetricsPerProxy } from "./client_metrics.ts";

describe("createClientMetrics()", () => {
  it("createClientMetrics() exposes upstream's three counter names", () => {
    const registry = new Registry();
    const metrics = createClientMetrics(registry);
    metrics.pollErrors.inc();
    metrics.pollErrors.inc();
    metrics.pushErrors.inc();
    const text = registry.render();
    assert.match(text, /^pushprox_client_poll_errors_total 2$/m);
    assert.match(text, /^pushprox_client_push_errors_total 1$/m);
    assert.match(text, /^# TYPE pushprox_client_scrape_errors_total counter$/m);
  });
});

describe("createClientMetricsPerProxy()", () => {
  it("createClientMetricsPerProxy() with one proxy renders exactly what createClientMetrics() does", () => {
    const alone = new Registry();
    createClientMetrics(alone).pollErrors.inc();
    const perProxy = new Registry();
    const [only] = createClientMetricsPerProxy(perProxy, ["http://proxy:8080/"]);
    only.pollErrors.inc();
    assert.equal(perProxy.render(), alone.render());
    assert.doesNotMatch(perProxy.render(), /proxy=/);
  });

  it("createClientMetricsPerProxy() counts each proxy under its own proxy label, all shown from the start", () => {
    const registry = new Registry();
    const [a, b] = createClientMetricsPerProxy(registry, ["http://proxy-a:8080/", "http://proxy-b:8080/"]);
    a.pollErrors.inc();
    a.pollErrors.inc();
    b.scrapeErrors.inc();
    const text = registry.render();
    assert.match(text, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-a:8080\/"\} 2$/m);
    assert.match(text, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-b:8080\/"\} 0$/m);
    assert.match(text, /^pushprox_client_scrape_errors_total\{proxy="http:\/\/proxy-b:8080\/"\} 1$/m);
    assert.match(text, /^pushprox_client_push_errors_total\{proxy="http:\/\/proxy-a:8080\/"\} 0$/m);
    assert.equal(text.match(/^# TYPE pushprox_client_poll_errors_total counter$/gm)?.length, 1);
  });
});
