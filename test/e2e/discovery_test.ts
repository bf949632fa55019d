/**
 * Discovery with labels: a real Prometheus running the http_sd recipe (scripts/recipes/prometheus/
 * http_sd.yml) finds a client through the proxy's /clients with no static list, scrapes it through
 * proxy_url, and keeps the labels the client announced with `--label`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { readRecipe, substitute } from "../support/recipes.ts";
import type { NodeExporterHandle, PrometheusHandle } from "../support/prometheus.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";

/** The recipe, pointed at this test's proxy and node exporter, with short intervals. */
function recipeConfig(proxy: ProxyHandle, nodeExporter: NodeExporterHandle): string {
  let config = readRecipe("prometheus/http_sd.yml");
  config = substitute(config, "proxy.example.com:8080", `127.0.0.1:${proxy.port}`);
  config = substitute(config, '"$1:9100"', `"$1:${nodeExporter.port}"`);
  config = substitute(config, "scrape_interval: 15s", "scrape_interval: 1s\n  scrape_timeout: 1s");
  return substitute(config, "refresh_interval: 30s", "refresh_interval: 1s");
}

describe(`Prometheus discovers labelled clients through /clients (${selectedImplementation()})`, () => {
  const h = new Harness();
  let prometheus: PrometheusHandle;
  let proxy: ProxyHandle;
  let nodeExporter: NodeExporterHandle;

  before(async () => {
    nodeExporter = await h.startNodeExporter();
    proxy = await h.startProxy();
    await h.startClient([
      `--proxy-url=${proxy.url}`,
      "--fqdn=127.0.0.1",
      "--label=team=db",
      "--label",
      "site=Zürich & Genève",
    ]);
    prometheus = await h.startPrometheus(recipeConfig(proxy, nodeExporter));
  });
  after(() => h.cleanup());

  it("/clients lists the client by its bare FQDN with its labels and __meta_pushprox_* labels", async () => {
    const groups = await (await fetch(`${proxy.url}clients`)).json();
    assert.equal(groups.length, 1);
    assert.deepEqual(groups[0].targets, ["127.0.0.1"]);
    const labels = groups[0].labels;
    assert.equal(labels.team, "db");
    assert.equal(labels.site, "Zürich & Genève");
    assert.match(labels.__meta_pushprox_client_version, /^\d+\.\d+\.\d+/);
    assert.match(labels.__meta_pushprox_last_poll, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(labels.__meta_pushprox_proxy.endsWith(`:${proxy.port}`), true, labels.__meta_pushprox_proxy);
    assert.match(labels.__meta_pushprox_pollers, /^[01]$/);
  });

  it("scrapes the discovered client (up == 1) and keeps its labels on the target and its series", async () => {
    const options = { timeoutMs: 45_000, logs: () => h.logs() };
    const up = await prometheus.waitForQuery('up{job="node"}', (s) => s[0]!.value === 1, options);
    assert.equal(up.length, 1);
    assert.equal(up[0]!.metric.instance, `127.0.0.1:${nodeExporter.port}`);
    assert.equal(up[0]!.metric.team, "db");
    assert.equal(up[0]!.metric.site, "Zürich & Genève");
    assert.match(up[0]!.metric.pushprox_client_version ?? "", /^\d+\.\d+\.\d+/, "relabelled from __meta_");
    const target = (await prometheus.targets()).find((t) => t.scrapePool === "node");
    assert.equal(target?.health, "up");
    assert.equal(target?.labels.team, "db");
    await prometheus.waitForQuery('node_load1{job="node",team="db"}', (s) => s.length === 1, options);
  });

  it("a client with a bad --label exits 2 with one line naming it", async () => {
    const result = await h.run("client", [`--proxy-url=${proxy.url}`, "--label=__address__=evil:22"]);
    assert.equal(result.code, 2, result.logs);
    assert.equal(
      result.stderr,
      'client: invalid value "__address__=evil:22" for flag --label: label name "__address__" starts with "__", which Prometheus reserves\n',
    );
  });
});
