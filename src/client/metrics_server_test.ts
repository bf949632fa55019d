import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { metricsHandler } from "./metrics_server.ts";

const registry = { render: () => "pushprox_client_poll_errors_total 3\n" };
const info = { absoluteForm: false, remoteAddress: "127.0.0.1" };
const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

describe("metricsHandler()", () => {
  it("metricsHandler() serves the registry at GET /metrics", async () => {
    const response = await metricsHandler(registry, CONTENT_TYPE)(new Request("http://h:9369/metrics"), info);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), CONTENT_TYPE);
    assert.equal(await response.text(), "pushprox_client_poll_errors_total 3\n");
  });

  it("metricsHandler() answers 404 for any other path", async () => {
    const response = await metricsHandler(registry, CONTENT_TYPE)(new Request("http://h:9369/"), info);
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });

  it("metricsHandler() answers 404 for a POST to /metrics", async () => {
    const request = new Request("http://h:9369/metrics", { method: "POST", body: "x" });
    const response = await metricsHandler(registry, CONTENT_TYPE)(request, info);
    assert.equal(response.status, 404);
    await response.body?.cancel();
  });
});
