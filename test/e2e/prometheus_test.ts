/**
 * The whole point of PushProx: a real Prometheus scrapes a real node exporter through our proxy and
 * client, discovers clients from /clients, and scrapes the proxy's own metrics.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NodeExporterHandle, PrometheusHandle } from "../support/prometheus.ts";
import type { ProxyHandle } from "../support/pushprox.ts";
import { Harness } from "../support/harness.ts";
import { selectedImplementation } from "../support/pushprox.ts";

/** Prometheus config: scrape through proxy_url, the proxy itself, and clients found through /clients. */
function prometheusConfig(proxy: ProxyHandle, nodeExporter: NodeExporterHandle): string {
  return `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    proxy_url: http://127.0.0.1:${proxy.port}/
    static_configs:
      - targets: ["127.0.0.1:${nodeExporter.port}"]
  - job_name: pushprox
    static_configs:
      - targets: ["127.0.0.1:${proxy.port}"]
  - job_name: discovered
    proxy_url: http://127.0.0.1:${proxy.port}/
    http_sd_configs:
      - url: http://127.0.0.1:${proxy.port}/clients
        refresh_interval: 1s
    relabel_configs:
      # /clients lists bare FQDNs; a scrape address needs a port.
      - source_labels: [__address__]
        regex: (.*)
        target_label: __address__
        replacement: $1:${nodeExporter.port}
`;
}

describe(`Prometheus scraping node exporter through our proxy and client (${selectedImplementation()})`, () => {
  const h = new Harness();
  let prometheus: PrometheusHandle;
  let nodeExporter: NodeExporterHandle;

  before(async () => {
    nodeExporter = await h.startNodeExporter();
    const proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    prometheus = await h.startPrometheus(prometheusConfig(proxy, nodeExporter));
  });
  after(() => h.cleanup());

  const waitOptions = { timeoutMs: 45_000, logs: () => h.logs() };
  const allOne = (samples: { value: number }[]) => samples.every((sample) => sample.value === 1);

  it('reports up{job="node"} == 1 for a target scraped through proxy_url', async () => {
    const samples = await prometheus.waitForQuery('up{job="node"}', allOne, waitOptions);
    assert.equal(samples.length, 1);
    assert.equal(samples[0]!.metric.instance, `127.0.0.1:${nodeExporter.port}`);
  });

  it("stores node exporter's own series scraped through the proxy", async () => {
    const load = await prometheus.waitForQuery('node_load1{job="node"}', (s) => s.length === 1, waitOptions);
    assert.ok(Number.isFinite(load[0]!.value), `node_load1 is ${load[0]!.value}`);
    const memory = await prometheus.waitForQuery(
      'node_memory_MemTotal_bytes{job="node"}',
      () => true,
      waitOptions,
    );
    assert.ok(memory[0]!.value > 0, `MemTotal is ${memory[0]!.value}`);
    const cpu = await prometheus.query('count(node_cpu_seconds_total{job="node"})');
    assert.ok((cpu[0]?.value ?? 0) > 0, "node_cpu_seconds_total has series");
  });

  it('scrapes the proxy\'s own /metrics: up{job="pushprox"} == 1 and one client connected', async () => {
    await prometheus.waitForQuery('up{job="pushprox"}', allOne, waitOptions);
    const clients = await prometheus.waitForQuery(
      'pushprox_proxy_clients{job="pushprox"}',
      () => true,
      waitOptions,
    );
    assert.equal(clients.length, 1);
    assert.equal(clients[0]!.value, 1);
  });

  it("discovers the client through http_sd_configs on /clients and scrapes it", async () => {
    const samples = await prometheus.waitForQuery('up{job="discovered"}', allOne, waitOptions);
    assert.equal(samples.length, 1);
    assert.equal(samples[0]!.metric.instance, `127.0.0.1:${nodeExporter.port}`);
    await prometheus.waitForQuery('node_load1{job="discovered"}', (s) => s.length === 1, waitOptions);
  });
});
