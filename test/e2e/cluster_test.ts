/**
 * A cluster of three proxies sharing their routing through a real redis-server, behind a round-robin TCP
 * load balancer that 30 clients poll through, and a real Prometheus scraping every client through ONE
 * proxy's address: scrapes for clients held by the other proxies are forwarded. Then one proxy is killed
 * with SIGKILL: its clients reconnect through the balancer and every target is up again within the
 * clients' retry max wait plus one registry TTL; no scrape ever returns another host's metrics; and the
 * proxy, restarted, rejoins.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import type { PrometheusHandle } from "../support/prometheus.ts";
import { listedClients, type ProxyHandle, selectedImplementation, startProxy } from "../support/pushprox.ts";
import { freePort } from "../support/ports.ts";
import { startRedis } from "../support/redis.ts";
import { startTcpBalancer, type TcpBalancer } from "../support/tcp_balancer.ts";
import { echoBody, type EchoTargets, startEchoTargets } from "../support/echo_targets.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { waitFor } from "../support/wait.ts";
import process from "node:process";

const CLIENTS = Number(process.env.PUSHPROX_CLUSTER_CLIENTS ?? 30);
const TTL_MS = 3000;
const MAX_WAIT_MS = 1000;
const SCRAPE_INTERVAL_MS = 1000;
/** Process start-up, a scrape in flight and Prometheus' own lag, on a loaded 2-core machine. */
const SLACK_MS = 4000;

/** How many clients poll `proxy` itself (`pushprox_proxy_clients`; /clients lists the whole cluster). */
async function localClients(proxy: ProxyHandle): Promise<number> {
  const text = await (await fetch(new URL("metrics", proxy.url))).text();
  return Number(/^pushprox_proxy_clients (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe(`cluster of three proxies behind a load balancer (${selectedImplementation()})`, () => {
  const h = new Harness();
  let redisUrl: string;
  let ports: number[];
  const proxies: ProxyHandle[] = [];
  let balancer: TcpBalancer;
  let targets: EchoTargets;
  let prometheus: PrometheusHandle;

  const proxyFlags = (port: number) => [
    `--cluster.redis-url=${redisUrl}`,
    `--cluster.advertise-url=http://127.0.0.1:${port}/`,
    `--cluster.ttl=${TTL_MS}ms`,
  ];
  const startMember = (port: number) => startProxy(h.procs, proxyFlags(port), { port });

  before(async () => {
    redisUrl = (await startRedis(h.procs)).url;
    ports = [await freePort(), await freePort(), await freePort()];
    proxies.push(...await Promise.all(ports.map(startMember)));
    balancer = await startTcpBalancer(h.procs, ports);
    targets = await startEchoTargets(h.procs, CLIENTS);
    await Promise.all(targets.hosts.map((host) =>
      h.startClient([
        `--proxy-url=${balancer.url}`,
        `--fqdn=${host}`,
        `--label=served_as=${host}`,
        "--proxy.retry.initial-wait=200ms",
        `--proxy.retry.max-wait=${MAX_WAIT_MS}ms`,
      ], { waitFor: "started" })
    ));
    await waitFor(async () => (await listedClients(balancer.url)).length === CLIENTS, {
      timeoutMs: 90_000,
      what: `all ${CLIENTS} clients in the cluster's /clients`,
      details: () => h.logs(),
    });
    prometheus = await h.startPrometheus(`
global:
  scrape_interval: ${SCRAPE_INTERVAL_MS}ms
  scrape_timeout: ${SCRAPE_INTERVAL_MS}ms
scrape_configs:
  - job_name: hosts
    proxy_url: http://127.0.0.1:${ports[0]}/
    static_configs:
      - targets: [${targets.hosts.map((host) => `"${host}:${targets.port}"`).join(", ")}]
`);
  });
  after(() => h.cleanup());

  const scrapeThrough = (port: number, host: string) =>
    rawExchange(
      port,
      absoluteFormGet(`http://${host}:${targets.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "5",
      ]]),
      10_000,
    );

  /** Every target, with a scrape that started after `since` (epoch ms) and went well. */
  const allUpSince = async (since: number) => {
    const active = await prometheus.targets();
    return active.length === CLIENTS &&
      active.every((t) => t.health === "up" && Date.parse(t.lastScrape) > since);
  };

  it("spreads the clients over all three proxies and lists all of them, with their labels, on every proxy", async () => {
    for (const proxy of proxies) {
      const groups = await (await fetch(new URL("clients", proxy.url))).json() as Array<
        { targets: string[]; labels: Record<string, string> }
      >;
      assert.equal(groups.length, CLIENTS, `/clients of ${proxy.url}`);
      for (const { targets, labels } of groups) {
        assert.equal(labels.served_as, targets[0], JSON.stringify({ targets, labels }));
        assert.match(labels.__meta_pushprox_proxy ?? "", /^127\.0\.0\.1:\d+$/);
      }
    }
    for (const port of ports) {
      assert.ok((balancer.handed.get(port) ?? 0) > 0, `no connection went to ${port}`);
    }
  });

  it("lets Prometheus scrape every client through one proxy: all up == 1", async () => {
    await waitFor(() => allUpSince(0), {
      timeoutMs: 30_000,
      what: `all ${CLIENTS} targets up through ${proxies[0]!.url}`,
      details: () => h.logs(),
    });
    const up = await prometheus.query('sum(up{job="hosts"})');
    assert.equal(up[0]?.value, CLIENTS);
  });

  it("has every target up again within retry max wait + one TTL of a proxy killed with SIGKILL", async () => {
    const held = await localClients(proxies[1]!);
    assert.ok(held > 0, "the proxy to kill holds no client: the test would prove nothing");
    const killed = Date.now();
    await proxies[1]!.kill9();
    const bound = MAX_WAIT_MS + TTL_MS + SCRAPE_INTERVAL_MS + SLACK_MS;
    await waitFor(() => allUpSince(killed + MAX_WAIT_MS + 200), {
      timeoutMs: bound,
      intervalMs: 100,
      what: `all ${CLIENTS} targets up after a proxy died (bound ${bound} ms)`,
      details: () => h.logs(),
    });
    const elapsed = Date.now() - killed;
    assert.ok(elapsed <= bound, `took ${elapsed} ms`);
    // Reachable from every surviving proxy, not only the one Prometheus uses.
    for (const host of targets.hosts) {
      const response = await scrapeThrough(proxies[2]!.port, host);
      assert.equal(statusOf(response), 200, `${host} through ${proxies[2]!.url}: ${bodyText(response)}`);
      assert.equal(bodyText(response), echoBody(host));
    }
  });

  it("never returned another host's metrics for a scrape", async () => {
    const series = await prometheus.query("last_over_time(pushprox_echo_host[1h])");
    assert.equal(series.length, CLIENTS, JSON.stringify(series.map((s) => s.metric)));
    for (const { metric } of series) {
      assert.equal(metric.instance, `${metric.served_for}:${targets.port}`, JSON.stringify(metric));
    }
  });

  it("takes a restarted proxy back: it lists the whole cluster and forwards scrapes for every client", async () => {
    const restarted = await startMember(ports[1]!);
    await waitFor(async () => (await listedClients(restarted.url)).length === CLIENTS, {
      timeoutMs: 15_000,
      what: "the restarted proxy to list every client",
      details: () => h.logs(),
    });
    for (const host of targets.hosts) {
      const response = await scrapeThrough(restarted.port, host);
      assert.equal(statusOf(response), 200, `${host}: ${bodyText(response)}`);
      assert.equal(bodyText(response), echoBody(host));
    }
  });
});
