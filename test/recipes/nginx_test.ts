/**
 * The nginx recipe (scripts/recipes/nginx/pushprox.conf): `nginx -t` accepts it, and a real scrape goes
 * through it over TLS: Prometheus -> nginx (TLS) -> our proxy <- our client, which polls through nginx too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTestTls, type TestTls } from "../../src/http/testing/tls.ts";
import { Harness } from "../support/harness.ts";
import {
  NGINX_BIN,
  nginxArgs,
  readLog,
  type RenderedNginx,
  renderNginx,
  startNginx,
} from "../support/nginx.ts";
import { listedClients, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import { waitFor } from "../support/wait.ts";

describe(`nginx recipe: TLS in front of the proxy (${selectedImplementation()})`, () => {
  const h = new Harness();
  let tls: TestTls;
  let proxy: ProxyHandle;
  let rendered: RenderedNginx;

  before(async () => {
    tls = makeTestTls();
    proxy = await h.startProxy();
    rendered = await renderNginx(h.procs, { proxyPort: proxy.port, cert: tls.cert, key: tls.key });
  });
  after(() => h.cleanup());

  it("passes nginx -t", () => {
    const result = spawnSync(NGINX_BIN, ["-t", ...nginxArgs(rendered)], { encoding: "utf8" });
    assert.equal(result.status, 0, `${result.stderr}\n${readLog(rendered)}`);
    assert.match(result.stderr, /syntax is ok/);
    assert.match(result.stderr, /test is successful/);
    assert.doesNotMatch(result.stderr, /\[(warn|emerg|alert|crit|error)\]/);
  });

  it("carries a client's polls and a Prometheus scrape over TLS to the proxy and back", async () => {
    await startNginx(h.procs, rendered);
    const dir = await h.tempDir("nginx-ca");
    const caFile = join(dir, "ca.pem");
    await writeFile(caFile, tls.ca);
    const target = await h.startStaticTarget();
    const nginxUrl = `https://127.0.0.1:${rendered.port}/`;
    await h.startClient([`--proxy-url=${nginxUrl}`, `--tls.cacert=${caFile}`, "--fqdn=127.0.0.1"], {
      waitFor: "started",
    });
    await waitFor(async () => (await listedClients(proxy.url)).includes("127.0.0.1"), {
      timeoutMs: 15_000,
      what: "the client polling through nginx to appear in /clients",
      details: () => `${h.logs()}\n${readLog(rendered)}`,
    });
    const prometheus = await h.startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: through-nginx
    proxy_url: ${nginxUrl}
    tls_config:
      ca_file: ${caFile}
    static_configs:
      - targets: ["127.0.0.1:${target.port}"]
`);
    const logs = () => `${h.logs()}\n${readLog(rendered)}`;
    const up = await prometheus.waitForQuery("up", (s) => s[0]!.value === 1, { timeoutMs: 30_000, logs });
    assert.equal(up[0]!.metric.job, "through-nginx");
    const scraped = await prometheus.waitForQuery("pushprox_test_metric", () => true, { logs });
    assert.equal(scraped[0]!.metric.instance, `127.0.0.1:${target.port}`);
    assert.ok(target.requests.length > 0, "the target was scraped by the client");
  });
});
