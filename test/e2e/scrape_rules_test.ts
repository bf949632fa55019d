/**
 * What a client agrees to scrape, seen from outside: `--allow-port` refuses other ports with a 403 that
 * names the rule (down to Prometheus' target page) while allowed scrapes carry on, a DELETE sent through
 * the proxy never reaches the target, `--use-localhost` scrapes 127.0.0.1 for an FQDN that does not
 * resolve, and bad rule flags are one-line usage errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, type HttpMessage, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ClientHandle, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { waitFor } from "../support/wait.ts";

/** Guaranteed never to resolve (RFC 6761), so a scrape that works went to 127.0.0.1. */
const UNRESOLVABLE_FQDN = "pushprox-e2e.invalid";

const TIMEOUT: [string, string] = ["X-Prometheus-Scrape-Timeout-Seconds", "5"];

/** Lines of a client's log that record a refused scrape. */
function refusedLines(client: ClientHandle): string[] {
  return client.process.stderr.split("\n").filter((line) => line.includes("Scrape refused"));
}

describe(`client scrape rules (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  /** On the port --allow-port names. */
  let allowed: StaticTarget;
  /** Listening, but on a port --allow-port does not name. */
  let refused: StaticTarget;
  let client: ClientHandle;

  before(async () => {
    proxy = await h.startProxy();
    allowed = await h.startStaticTarget();
    refused = await h.startStaticTarget({ body: "secret_metric 1\n" });
    client = await h.startClient([
      `--proxy-url=${proxy.url}`,
      "--fqdn=127.0.0.1",
      `--allow-port=${allowed.port}`,
    ]);
    await h.startClient([`--proxy-url=${proxy.url}`, `--fqdn=${UNRESOLVABLE_FQDN}`, "--use-localhost"]);
  });
  after(() => h.cleanup());

  const scrape = (url: string, method = "GET"): Promise<HttpMessage> =>
    rawExchange(proxy.port, absoluteFormGet(url, [TIMEOUT]).replace(/^GET /, `${method} `), 10_000);

  it("scrapes a target on an allowed port", async () => {
    const response = await scrape(`http://127.0.0.1:${allowed.port}/metrics`);
    assert.equal(statusOf(response), 200, h.logs());
    assert.equal(bodyText(response), allowed.body);
  });

  it("refuses a port outside --allow-port with a 403 naming target and rule, while an allowed scrape carries on", async () => {
    const refusedUrl = `http://127.0.0.1:${refused.port}/metrics`;
    const before = refusedLines(client).length;
    const [denied, fine] = await Promise.all([
      scrape(refusedUrl),
      scrape(`http://127.0.0.1:${allowed.port}/metrics`),
    ]);

    assert.equal(denied.startLine, `HTTP/1.1 403 port ${refused.port} not allowed by --allow-port`, h.logs());
    assert.equal(
      bodyText(denied),
      `refusing to scrape ${refusedUrl}: port ${refused.port} not allowed by --allow-port`,
    );
    assert.equal(refused.requests.length, 0, "the refused target was never asked");
    assert.equal(statusOf(fine), 200, h.logs());
    assert.equal(bodyText(fine), allowed.body);
    // One warning per refused scrape; it may be written just after the answer went out.
    await waitFor(() => refusedLines(client).length === before + 1, {
      timeoutMs: 3000,
      what: "one 'Scrape refused' line for the refused scrape",
      details: () => client.logs(),
    });
    assert.match(refusedLines(client).at(-1)!, /level=warn/);
  });

  it("answers a DELETE through the proxy with 403 and never passes it to the target", async () => {
    const seen = allowed.requests.length;
    const response = await scrape(`http://127.0.0.1:${allowed.port}/api/v1/admin/tsdb`, "DELETE");
    assert.equal(response.startLine, "HTTP/1.1 403 method DELETE not allowed by --allow-method", h.logs());
    assert.match(bodyText(response), /refusing to scrape http:\/\/127\.0\.0\.1:\d+\/api\/v1\/admin\/tsdb/);
    assert.equal(allowed.requests.length, seen, "the target saw no request");
    assert.ok(allowed.requests.every((request) => request.method === "GET"));
  });

  it(`scrapes 127.0.0.1 with --use-localhost for ${UNRESOLVABLE_FQDN}, which does not resolve, keeping Host`, async () => {
    const response = await scrape(`http://${UNRESOLVABLE_FQDN}:${allowed.port}/metrics`);
    assert.equal(statusOf(response), 200, h.logs());
    assert.equal(bodyText(response), allowed.body);
    assert.equal(allowed.requests.at(-1)?.headers.host, `${UNRESOLVABLE_FQDN}:${allowed.port}`);
  });

  const PORT_EXPECTED = "expected a port number from 1 to 65535";
  const badFlags: [flag: string, value: string, expected: string][] = [
    ["allow-port", "ssh", PORT_EXPECTED],
    ["allow-port", "70000", PORT_EXPECTED],
    ["allow-method", "GE T", 'expected an HTTP method such as GET or POST, or "*" for any'],
  ];
  for (const [flag, value, expected] of badFlags) {
    it(`exits 2 with one line naming --${flag} for ${JSON.stringify(value)}`, async () => {
      const result = await h.run("client", [`--proxy-url=${proxy.url}`, `--${flag}=${value}`]);
      assert.equal(result.code, 2, result.logs);
      assert.equal(
        result.stderr,
        `client: invalid value ${JSON.stringify(value)} for flag --${flag}: ${expected}\n`,
      );
    });
  }
});

describe(`Prometheus sees why a scrape was refused (${selectedImplementation()})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("shows the 403 and its rule as the refused target's error, while the allowed target is up", async () => {
    const proxy = await h.startProxy();
    const allowed = await h.startStaticTarget();
    const refused = await h.startStaticTarget();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1", `--allow-port=${allowed.port}`]);
    const prometheus = await h.startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: allowed
    proxy_url: ${proxy.url}
    static_configs:
      - targets: ["127.0.0.1:${allowed.port}"]
  - job_name: refused
    proxy_url: ${proxy.url}
    static_configs:
      - targets: ["127.0.0.1:${refused.port}"]
`);
    await prometheus.waitForQuery('up{job="allowed"}', (s) => s[0]!.value === 1, {
      timeoutMs: 45_000,
      logs: () => h.logs(),
    });
    const target = await waitFor(async () => {
      const targets = await prometheus.targets();
      const found = targets.find((t) => t.scrapePool === "refused");
      return found !== undefined && found.lastError !== "" && found;
    }, { timeoutMs: 45_000, what: "the refused target's first scrape error", details: () => h.logs() });
    assert.equal(target.health, "down", target.lastError);
    assert.match(target.lastError, new RegExp(`403 port ${refused.port} not allowed by --allow-port`));
    assert.equal(refused.requests.length, 0);
  });
});
