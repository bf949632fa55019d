/**
 * What the proxy shows about its clients: `/clients` with announced labels, the status page and
 * `/status.json`, with per-client scrape records kept by the coordinator.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScrapeRequest } from "../wire/mod.ts";
import { proxyAppHarness } from "./testing/app_harness.ts";
import type { ProxyAbout, StatusReport } from "./status/report.ts";
import { INLINE_ROWS } from "./status/page.ts";

const T0 = Date.parse("2026-12-03T10:00:00Z");

function setup() {
  let wall = T0;
  const about: ProxyAbout = {
    version: "9.9.9",
    runtime: "deno 2.9.6, from source",
    startedAt: T0 - 3_723_000,
    name: "bastion.example.com:8080",
    settings: [["scrape.max-timeout", "5m"]],
  };
  const app = proxyAppHarness({ about, wallClock: () => wall });
  const { direct } = app;
  const proxied = (url: string) =>
    app.proxied(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "5" } });
  const controllers: AbortController[] = [];
  /** A poll as our client sends it; returns the pending answer. */
  const poll = (fqdn: string, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    controllers.push(controller);
    return direct("/poll", { method: "POST", body: fqdn, headers, signal: controller.signal });
  };
  const close = () => {
    for (const controller of controllers) controller.abort();
    app.close();
  };
  return { direct, proxied, poll, close, advance: (ms: number) => (wall += ms) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Scrapes `fqdn` through the proxy while its poll is waiting, and pushes `push` (given the scrape id). */
async function scrapeOnce(
  h: ReturnType<typeof setup>,
  fqdn: string,
  polled: Promise<Response>,
  push: (id: string) => string,
): Promise<Response> {
  const reply = h.proxied(`http://${fqdn}:9100/metrics`);
  const instruction = parseScrapeRequest(new Uint8Array(await (await polled).arrayBuffer()));
  const body = push(instruction.id);
  await h.direct("/push", {
    method: "POST",
    body,
    headers: { "content-length": String(new TextEncoder().encode(body).byteLength) },
  });
  return await reply;
}

const ok = (id: string) => `HTTP/1.1 200 OK\r\nContent-Length: 6\r\nId: ${id}\r\n\r\nup 1\r\n`;
const REFUSED = "failed to scrape http://db1:9100/metrics: connection refused";
const refused = (id: string) =>
  `HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${REFUSED.length}\r\nId: ${id}\r\n\r\n${REFUSED}`;

describe("proxy status: /clients, / and /status.json", () => {
  it("/clients carries each client's labels and __meta_pushprox_* labels; targets stay bare FQDNs", async () => {
    const h = setup();
    void h.poll("db1.example.com", {
      "PushProx-Labels": "team=db&env=prod",
      "User-Agent": "pushprox-ts-client/1.2.3",
    });
    void h.poll("go.example.com", { "User-Agent": "Go-http-client/1.1" });
    await settle();
    const groups = await (await h.direct("/clients")).json();
    assert.deepEqual(groups, [
      {
        targets: ["db1.example.com"],
        labels: {
          team: "db",
          env: "prod",
          __meta_pushprox_client_version: "1.2.3",
          __meta_pushprox_last_poll: "2026-12-03T10:00:00Z",
          __meta_pushprox_pollers: "1",
          __meta_pushprox_proxy: "bastion.example.com:8080",
        },
      },
      {
        targets: ["go.example.com"],
        labels: {
          __meta_pushprox_client_version: "",
          __meta_pushprox_last_poll: "2026-12-03T10:00:00Z",
          __meta_pushprox_pollers: "1",
          __meta_pushprox_proxy: "bastion.example.com:8080",
        },
      },
    ]);
    h.close();
  });

  it("refuses a poll whose labels header breaks the rules with 400 naming the label, registering nothing", async () => {
    const h = setup();
    const answer = await h.poll("evil.example.com", { "PushProx-Labels": "__address__=10.0.0.1:22" });
    assert.equal(answer.status, 400);
    assert.match(await answer.text(), /label name "__address__" starts with "__"/);
    assert.equal(await (await h.direct("/clients")).text(), "[]\n");
    // A known client that changes to bad labels is refused too, and keeps the labels it had.
    void h.poll("db1.example.com", { "PushProx-Labels": "team=db" });
    await settle();
    const bad = await h.poll("db1.example.com", { "PushProx-Labels": "team=%FF" });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /not valid UTF-8/);
    const groups = await (await h.direct("/clients")).json();
    assert.equal(groups[0].labels.team, "db");
    h.close();
  });

  it("/status.json counts succeeded and failed scrapes per client and keeps the last error with its time", async () => {
    const h = setup();
    const first = h.poll("db1.example.com", { "PushProx-Labels": "team=db" });
    await settle();
    assert.equal((await scrapeOnce(h, "db1.example.com", first, ok)).status, 200);
    h.advance(60_000);
    const second = h.poll("db1.example.com", { "PushProx-Labels": "team=db" });
    await settle();
    assert.equal((await scrapeOnce(h, "db1.example.com", second, refused)).status, 500);
    void h.poll("db1.example.com", { "PushProx-Labels": "team=db" });
    await settle();
    h.advance(5_000);
    const response = await h.direct("/status.json");
    assert.equal(response.headers.get("content-type"), "application/json");
    const report = (await response.json()) as StatusReport;
    assert.deepEqual(report.proxy, {
      version: "9.9.9",
      runtime: "deno 2.9.6, from source",
      name: "bastion.example.com:8080",
      started: "2026-12-03T08:57:57Z",
      uptime_seconds: 3_788,
      settings: { "scrape.max-timeout": "5m" },
    });
    assert.deepEqual(report.clients, [{
      fqdn: "db1.example.com",
      labels: { team: "db" },
      version: "",
      pollers: 1,
      last_poll: "2026-12-03T10:01:00Z",
      scrapes_succeeded: 1,
      scrapes_failed: 1,
      failing: true,
      last_error: "500 failed to scrape http://db1:9100/metrics: connection refused",
      last_error_time: "2026-12-03T10:01:00Z",
    }]);
    assert.deepEqual(report.summary, {
      clients: 1,
      failing: 1,
      pollers: 1,
      scrapes_succeeded: 1,
      scrapes_failed: 1,
    });
    h.close();
  });

  it("the status page escapes everything a client sent: a hostile label value shows as text", async () => {
    const h = setup();
    const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;
    const labels = { "PushProx-Labels": new URLSearchParams([["note", hostile]]).toString() };
    const polled = h.poll("db1.example.com", labels);
    await settle();
    const error = "<img src=y onerror=alert(3)>";
    await scrapeOnce(
      h,
      "db1.example.com",
      polled,
      (id) => `HTTP/1.1 500 Oops\r\nContent-Length: ${error.length}\r\nId: ${id}\r\n\r\n${error}`,
    );
    const response = await h.direct("/");
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await response.text();
    assert.ok(!html.includes("<script>alert"), "no script element from the label");
    assert.ok(!html.includes("<img src=x"), "no img element from the label");
    assert.ok(
      html.includes("note=&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
      "the label is shown as escaped text",
    );
    assert.ok(!html.includes("<img src=y"), "no img element from the pushed error");
    assert.ok(html.includes("500 &lt;img src=y onerror=alert(3)&gt;"), "the error is shown as escaped text");
    // The page's only script is its own, from the proxy.
    const scripts = [...html.matchAll(/<script[^>]*>/g)].map((match) => match[0]);
    assert.deepEqual(scripts, ['<script src="status.js">']);
    h.close();
  });

  it("the status page shows the proxy, each client's labels, counts and last error, and keeps the filter given", async () => {
    const h = setup();
    const polled = h.poll("db1.example.com", { "PushProx-Labels": "team=db" });
    void h.poll("web1.example.com", { "PushProx-Labels": "team=web" });
    await settle();
    await scrapeOnce(h, "db1.example.com", polled, refused);
    const html = await (await h.direct("/?q=team%3Dweb")).text();
    assert.match(html, /PushProx proxy <span class="muted">bastion\.example\.com:8080<\/span>/);
    assert.match(html, /version 9\.9\.9 on deno 2\.9\.6/);
    assert.match(html, /up 1h 2m/);
    assert.match(html, /<div class="row failing" data-s="db1\.example\.com team=db failing">/);
    assert.match(html, /<div class="row" data-s="web1\.example\.com team=web">/);
    assert.match(
      html,
      /<em>500 failed to scrape http:\/\/db1:9100\/metrics: connection refused/,
    );
    assert.match(html, /value="team=web"/);
    const script = await h.direct("/status.js");
    assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(await script.text(), /getElementById\("filter"\)/);
    h.close();
  });

  it("the status page sends the rows past the first 200 as escaped text, one a line, for its script to show", async () => {
    const h = setup();
    const note = new URLSearchParams([["note", "</script><script>alert(1)</script>\nsecond line"]]);
    for (let i = 0; i < 250; i++) {
      void h.poll(`host-${String(i).padStart(3, "0")}.example.com`, { "PushProx-Labels": note.toString() });
    }
    await settle();
    const html = await (await h.direct("/")).text();
    const inline = html.slice(
      html.indexOf('<div class="rows">'),
      html.indexOf("</div>\n", html.indexOf('<div class="rows">')),
    );
    assert.equal(inline.match(/<div class="row"/g)?.length, INLINE_ROWS);
    const block = /<script type="text\/x-rows" id="more-rows">\n([^]*?)\n<\/script>/.exec(html);
    assert.ok(block !== null, "the later rows come in a text block");
    const lines = block[1]!.split("\n");
    assert.equal(lines.length, 250 - INLINE_ROWS);
    assert.match(lines[0]!, /^<div class="row" data-s="host-200\.example\.com note=/);
    assert.ok(
      lines.every((line) =>
        line.includes("note=&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#10;second line")
      ),
    );
    assert.match(html, /50 more clients are listed in <a href="status.json">status.json<\/a>/);
    h.close();
  });
});
