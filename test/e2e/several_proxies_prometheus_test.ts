/**
 * The high-availability setup as Prometheus sees it: one scrape config per proxy (the README's failover
 * topology), one client polling both. When one proxy is killed with -9, scrapes through the other never
 * fail (`up` stays 1 throughout); when the proxy is back, so are scrapes through it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import type { PrometheusHandle, Sample } from "../support/prometheus.ts";
import { listedClients, type ProxyHandle, selectedImplementation, startProxy } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { sleep, waitFor } from "../support/wait.ts";

const VIA_A = 'up{job="node",via="proxy-a"}';
const VIA_B = 'up{job="node",via="proxy-b"}';

/** The same target scraped through each proxy by its own scrape config, both as job="node", told apart by `via`. */
function prometheusConfig(a: ProxyHandle, b: ProxyHandle, target: StaticTarget): string {
  const job = (via: string, proxy: ProxyHandle) => `
  - job_name: node-via-${via}
    proxy_url: ${proxy.url}
    static_configs:
      - targets: ["127.0.0.1:${target.port}"]
    relabel_configs:
      - target_label: job
        replacement: node
      - target_label: via
        replacement: ${via}`;
  return `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:${job("proxy-a", a)}${job("proxy-b", b)}
`;
}

describe(`Prometheus with one scrape config per proxy, one client polling both (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxyA: ProxyHandle;
  let proxyB: ProxyHandle;
  let prometheus: PrometheusHandle;

  before(async () => {
    let target: StaticTarget;
    [proxyA, proxyB, target] = await Promise.all([h.startProxy(), h.startProxy(), h.startStaticTarget()]);
    await h.startClient([
      `--proxy-url=${proxyA.url}`,
      `--proxy-url=${proxyB.url}`,
      "--fqdn=127.0.0.1",
      "--proxy.retry.initial-wait=200ms",
      "--proxy.retry.max-wait=1s",
    ]);
    prometheus = await h.startPrometheus(prometheusConfig(proxyA, proxyB, target));
  });
  after(() => h.cleanup());

  const waitOptions = { timeoutMs: 30_000, logs: () => h.logs() };
  const valueIs = (value: number) => (samples: Sample[]) => samples.every((sample) => sample.value === value);

  it("keeps up == 1 through proxy B at every scrape while proxy A is killed with -9; A's side recovers", async () => {
    await prometheus.waitForQuery('up{job="node"} == 1', (s) => s.length === 2, waitOptions);
    // A few scrapes through B before the kill, so the window below starts with healthy samples.
    await prometheus.waitForQuery(`count_over_time(${VIA_B}[10s])`, (s) => s[0]!.value >= 3, waitOptions);
    const killedAt = Date.now();
    await proxyA.kill9();
    await prometheus.waitForQuery(VIA_A, valueIs(0), { ...waitOptions, what: "Prometheus to see A down" });
    await sleep(Math.max(0, killedAt + 6000 - Date.now()));

    // From two seconds before the kill until now: every scrape through B succeeded, and none was skipped.
    const sinceKill = Math.floor((Date.now() - killedAt) / 1000);
    const window = `${sinceKill + 2}s`;
    const [lowest] = await prometheus.query(`min_over_time(${VIA_B}[${window}])`);
    const [count] = await prometheus.query(`count_over_time(${VIA_B}[${sinceKill}s])`);
    assert.equal(lowest?.value, 1, `${VIA_B} dropped below 1 within ${window}\n${h.logs()}`);
    assert.ok(
      (count?.value ?? 0) >= sinceKill - 2,
      `only ${count?.value} scrapes through B in the ${sinceKill}s since the kill`,
    );
    // What the README alerts on, a host down through every proxy, never happened.
    const [host] = await prometheus.query(
      `min_over_time((max by (instance) (up{job="node"}))[${window}:1s])`,
    );
    assert.equal(host?.value, 1, "the host looked down through every proxy");

    const restarted = await startProxy(h.procs, [], { port: proxyA.port });
    await waitFor(async () => (await listedClients(restarted.url)).includes("127.0.0.1"), {
      timeoutMs: 10_000,
      what: "the client back on the restarted proxy",
      details: () => h.logs(),
    });
    await prometheus.waitForQuery(VIA_A, valueIs(1), { ...waitOptions, what: "A's side up again" });
  });
});
