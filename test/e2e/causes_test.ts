/**
 * A failed scrape's cause reaches the operator: a real Prometheus scraping through our proxy shows it as
 * the target's `lastError` (`server returned HTTP status 502 target unreachable: ...`), read from the
 * status line's reason phrase. One target per cause: nothing listens on its port, its host does not
 * resolve (`.invalid` fails at once, without the network), it is too slow, no client polls for it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PrometheusHandle } from "../support/prometheus.ts";
import { Harness } from "../support/harness.ts";
import { freePort } from "../support/ports.ts";
import { selectedImplementation } from "../support/pushprox.ts";
import { waitFor } from "../support/wait.ts";

describe(`causes of failed scrapes in Prometheus' lastError (${selectedImplementation()})`, () => {
  const h = new Harness();
  let prometheus: PrometheusHandle;
  let closedPort: number;
  let slowPort: number;

  before(async () => {
    closedPort = await freePort();
    slowPort = (await h.startStaticTarget({ delayMs: 8000 })).port;
    const proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=nosuchhost.invalid"]);
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=localhost"]);
    prometheus = await h.startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: causes
    proxy_url: ${proxy.url}
    static_configs:
      - targets:
          - "127.0.0.1:${closedPort}"
          - "nosuchhost.invalid:9100"
          - "noclient.invalid:9100"
  - job_name: slow
    # Room for the client's answer to beat Prometheus' own deadline on a loaded machine: the client gives
    # up after 90% of the timeout, 0.5 s before Prometheus does.
    scrape_interval: 6s
    scrape_timeout: 5s
    proxy_url: ${proxy.url}
    static_configs:
      - targets: ["localhost:${slowPort}"]
`);
  });
  after(() => h.cleanup());

  /** Waits until the target `instance` has been scraped and failed; returns its lastError. */
  async function lastError(instance: string): Promise<string> {
    return await waitFor(async () => {
      const target = (await prometheus.targets()).find((t) => t.labels.instance === instance);
      return target?.health === "down" && target.lastError !== "" ? target.lastError : undefined;
    }, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `a failed scrape of ${instance}`,
      details: () => h.logs(),
    });
  }

  it("names a target port with nothing listening, and its address", async () => {
    assert.equal(
      await lastError(`127.0.0.1:${closedPort}`),
      `server returned HTTP status 502 target unreachable: connection refused (127.0.0.1:${closedPort})`,
    );
  });

  it("names a target host that does not resolve", async () => {
    assert.equal(
      await lastError("nosuchhost.invalid:9100"),
      "server returned HTTP status 502 target unreachable: no such host nosuchhost.invalid",
    );
  });

  it("says the target did not answer within the client's share of the scrape timeout", async () => {
    assert.equal(
      await lastError(`localhost:${slowPort}`),
      "server returned HTTP status 504 target timed out after 4.50s",
    );
  });

  it("names a host no client polls for", async () => {
    assert.equal(
      await lastError("noclient.invalid:9100"),
      "server returned HTTP status 503 no PushProx client connected for noclient.invalid",
    );
  });
});
