import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "../metrics/registry.ts";
import { createClientMetrics } from "./client_metrics.ts";

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
