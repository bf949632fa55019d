/**
 * The metrics an operator alerts on: both programs' expositions pass `promtool check metrics` after real
 * scrapes went through them (so labelled series and histograms are there too), and the alert rules recipe
 * (scripts/recipes/prometheus/alerts.yml) passes `promtool check rules` and uses only metric names the
 * programs expose, so a renamed metric cannot leave the recipe alerting on nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { repoPath } from "../support/paths.ts";
import { readRecipe } from "../support/recipes.ts";
import { freePort } from "../support/ports.ts";
import { promtool } from "../support/prometheus.ts";
import { selectedImplementation } from "../support/pushprox.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { statusOf } from "../support/http_message.ts";

const ALERTS = "prometheus/alerts.yml";

/** Metric family names in an exposition (histogram series under their family's name). */
function families(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
}

describe(`metrics and alert rules (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxyMetrics = "";
  let clientMetrics = "";

  before(async () => {
    const target = await h.startStaticTarget();
    const proxy = await h.startProxy();
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const scrape = (port: number) =>
      rawExchange(
        proxy.port,
        absoluteFormGet(`http://127.0.0.1:${port}/metrics`, [["X-Prometheus-Scrape-Timeout-Seconds", "5"]]),
      );
    assert.equal(statusOf(await scrape(target.port)), 200);
    assert.equal(statusOf(await scrape(await freePort())), 502);
    proxyMetrics = await (await fetch(`${proxy.url}metrics`)).text();
    clientMetrics = await (await fetch(`http://127.0.0.1:${client.port}/metrics`)).text();
  });
  after(() => h.cleanup());

  it("the proxy's /metrics passes promtool check metrics, with the scrape outcomes in it", () => {
    const { code, output } = promtool(["check", "metrics"], proxyMetrics);
    assert.deepEqual({ code, output }, { code: 0, output: "" }, proxyMetrics);
    assert.match(proxyMetrics, /^pushprox_proxy_scrapes_total\{outcome="success"\} 1$/m);
    assert.match(proxyMetrics, /^pushprox_proxy_scrapes_total\{outcome="error_response"\} 1$/m);
    assert.match(proxyMetrics, /^pushprox_proxy_scrape_duration_seconds_count\{outcome="success"\} 1$/m);
    assert.match(proxyMetrics, /^pushprox_proxy_connected_clients 1$/m);
    assert.match(proxyMetrics, /^pushproxy_proxied_requests_total\{code="502"\} 1$/m);
  });

  it("the client's /metrics passes promtool check metrics, with errors by kind and the last poll", () => {
    const { code, output } = promtool(["check", "metrics"], clientMetrics);
    assert.deepEqual({ code, output }, { code: 0, output: "" }, clientMetrics);
    assert.match(clientMetrics, /^pushprox_client_scrapes_total 2$/m);
    assert.match(clientMetrics, /^pushprox_client_errors_total\{kind="unreachable"\} 1$/m);
    assert.match(clientMetrics, /^pushprox_client_scrape_errors_total 1$/m);
    const lastPoll = /^pushprox_client_last_poll_success_timestamp_seconds (\S+)$/m.exec(clientMetrics);
    assert.ok(
      lastPoll && Math.abs(Number(lastPoll[1]) - Date.now() / 1000) < 60,
      `last poll: ${lastPoll?.[1]}`,
    );
  });

  it("the alert rules recipe passes promtool check rules and uses only metrics we expose", () => {
    const rules = readRecipe(ALERTS);
    const { code, output } = promtool(["check", "rules", repoPath(`scripts/recipes/${ALERTS}`)]);
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS: 3 rules found/);
    const exposed = new Set([...families(proxyMetrics), ...families(clientMetrics)]);
    const used = new Set([...rules.matchAll(/\bpushprox\w*/g)].map((match) => match[0]));
    used.delete("pushprox"); // the rule group's name and the job label
    assert.ok(used.size > 0, "the rules use our metrics");
    for (const name of used) {
      assert.ok(exposed.has(name), `the rules use ${name}, which neither program exposes`);
    }
  });
});
