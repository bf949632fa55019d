/**
 * The proxy's status page in a real browser (Debian's Chromium, headless): two clients connected, one of
 * them failing because its target is down. What a person reads there: hostnames, labels, counts, the
 * error; the filter box; the automatic refresh. Screenshots (desktop and phone) are kept under .tmp/.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { Harness } from "../support/harness.ts";
import { repoPath } from "../support/paths.ts";
import { freePort } from "../support/ports.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { statusOf } from "../support/http_message.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { waitFor } from "../support/wait.ts";
import { ClientStats } from "../../src/proxy/client_stats.ts";
import { renderStatusPage } from "../../src/proxy/status/page.ts";
import { statusReport } from "../../src/proxy/status/report.ts";
import { STATUS_SCRIPT } from "../../src/proxy/status/script.ts";

const IMPL = `${selectedImplementation()}${
  process.env.PUSHPROX_BUN_SERVER ? `-${process.env.PUSHPROX_BUN_SERVER}` : ""
}`;
const HOSTILE = "<script>alert(1)</script>";

describe(`status page in a headless browser (${IMPL})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;
  let downPort: number;
  let browser: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  /** A scrape as Prometheus sends it through proxy_url; resolves with the status code. */
  const scrape = async (url: string) => {
    const response = await rawExchange(
      proxy.port,
      absoluteFormGet(url, [["X-Prometheus-Scrape-Timeout-Seconds", "5"]]),
    );
    return statusOf(response);
  };
  const scrapeUp = () => scrape(`http://127.0.0.1:${target.port}/metrics`);

  before(async () => {
    proxy = await h.startProxy();
    target = await h.startStaticTarget();
    downPort = await freePort(); // nothing listens there: the second client's scrapes fail
    await h.startClient([
      `--proxy-url=${proxy.url}`,
      "--fqdn=127.0.0.1",
      "--label=team=db",
      "--label=env=prod",
    ]);
    await h.startClient([
      `--proxy-url=${proxy.url}`,
      "--fqdn=localhost",
      "--label=team=web",
      `--label=note=${HOSTILE}`,
    ]);
    assert.equal(await scrapeUp(), 200);
    assert.equal(await scrapeUp(), 200);
    const failed = await scrape(`http://localhost:${downPort}/metrics`);
    assert.ok(failed >= 500, `scrape of a down target answered ${failed}`);
    browser = await launchChromium(h.procs);
    page = await browser.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(proxy.url);
  });
  after(() => h.cleanup());

  const row = (fqdn: string) =>
    page.locator("#clients .rows > .row", { has: page.locator("b", { hasText: fqdn }) });
  const COLUMNS = ["Client", "Labels", "Last poll", "Succeeded", "Failed", "Last error"] as const;
  /** A client's cell, by the column's heading (the first test checks them against the page's heading row). */
  const cell = (fqdn: string, column: (typeof COLUMNS)[number]) =>
    row(fqdn).locator(`> span:nth-child(${COLUMNS.indexOf(column) + 1})`);

  it("shows the proxy, both clients with their labels, their counts, and the failing client's error", async () => {
    assert.match(await page.locator("h1").innerText(), /PushProx proxy/);
    assert.match(await page.locator("header").innerText(), /version \d+\.\d+\.\d+ on (deno|bun) /);
    const summary = await page.locator(".summary").innerText();
    assert.match(summary, /2 clients · 1 failing/);
    assert.match(summary, /2 scrapes succeeded · 1 failed/);

    assert.deepEqual(await page.locator("#clients .head > span").allInnerTexts(), [...COLUMNS]);
    assert.equal(await row("127.0.0.1").count(), 1);
    assert.equal(await cell("127.0.0.1", "Labels").innerText(), "team=db env=prod");
    assert.equal(await cell("127.0.0.1", "Succeeded").innerText(), "2");
    assert.equal(await cell("127.0.0.1", "Failed").innerText(), "0");
    assert.equal(await cell("127.0.0.1", "Last error").innerText(), "none");
    assert.match(await cell("127.0.0.1", "Last poll").innerText(), /\d+s ago/);

    assert.equal(await cell("localhost", "Labels").innerText(), `team=web note=${HOSTILE}`);
    assert.equal(await cell("localhost", "Succeeded").innerText(), "0");
    assert.equal(await cell("localhost", "Failed").innerText(), "1");
    const error = await cell("localhost", "Last error").innerText();
    assert.match(
      error,
      new RegExp(`failed to scrape http://localhost:${downPort}/metrics: connection refused`),
    );
    assert.match(error, /\d+s ago/);
    assert.deepEqual(dialogs, [], "a client's label must not run as script");
  });

  it("filters rows as one types, by host, label or 'failing'", async () => {
    const filter = page.locator("#filter");
    await filter.fill("team=web");
    assert.equal(await row("127.0.0.1").isVisible(), false);
    assert.equal(await row("localhost").isVisible(), true);
    assert.equal(await page.locator("#shown").innerText(), "1 of 2 shown");
    await filter.fill("failing");
    assert.deepEqual(await visibleHosts(page), ["localhost"]);
    await filter.fill("127.0");
    assert.deepEqual(await visibleHosts(page), ["127.0.0.1"]);
    await filter.fill("");
    assert.deepEqual(await visibleHosts(page), ["127.0.0.1", "localhost"]);
  });

  it("refreshes by itself, keeping the filter", async () => {
    await page.locator("#filter").fill("env=prod");
    assert.equal(await scrapeUp(), 200);
    await waitFor(async () => (await cell("127.0.0.1", "Succeeded").innerText()) === "3", {
      timeoutMs: 15_000,
      what: "the page to show 3 succeeded scrapes without a reload",
    });
    assert.deepEqual(await visibleHosts(page), ["127.0.0.1"]);
    await page.locator("#filter").fill("");
  });

  it("keeps screenshots, desktop and phone-sized, under .tmp/", async () => {
    await mkdir(repoPath(".tmp"), { recursive: true });
    const desktop = repoPath(`.tmp/status-page-${IMPL}.png`);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: desktop, fullPage: true });
    const phone = repoPath(`.tmp/status-page-${IMPL}-phone.png`);
    await page.setViewportSize({ width: 390, height: 844 });
    // On a phone every row is a card: nothing may need sideways scrolling.
    // A string, evaluated in the page: this file is type-checked without the DOM's types.
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone's screen`);
    await page.screenshot({ path: phone, fullPage: true });
    console.log(`status page screenshots: ${desktop} ${phone}`);
  });
});

describe("status page with 1,000 clients in a headless browser", () => {
  const h = new Harness();
  after(() => h.cleanup());

  /** The proxy's own page and script for `count` clients, every third failing, served to the browser. */
  async function openMany(count: number): Promise<Page> {
    const now = Date.parse("2026-12-03T10:00:00Z");
    const clients = Array.from({ length: count }, (_, i) => {
      const stats = new ClientStats(now - 5000);
      stats.labels = new Map([["team", i % 2 === 0 ? "db" : "web"], ["rack", `r${i}`]]);
      if (i % 3 === 0) stats.scraped(`502 target unreachable: host-${i}`, now - 1000);
      return { fqdn: `host-${String(i).padStart(4, "0")}.example.com`, pollers: 1, stats };
    });
    const about = {
      version: "9.9.9",
      runtime: "test",
      startedAt: now - 60_000,
      name: "p:8080",
      settings: [],
    };
    const html = renderStatusPage(statusReport(about, clients, now));
    const browser = await launchChromium(h.procs);
    const page = await browser.newPage();
    await page.route("http://status.test/**", (route) => {
      const script = route.request().url().endsWith("/status.js");
      return route.fulfill({
        contentType: script ? "text/javascript" : "text/html",
        body: script ? STATUS_SCRIPT : html,
      });
    });
    await page.goto("http://status.test/");
    return page;
  }

  it("shows the first rows at once and the others as the list scrolls; the filter searches them all", async () => {
    const page = await openMany(1000);
    const rows = page.locator("#clients .rows > .row");
    assert.equal(await rows.count(), 200);
    assert.equal(await page.locator("#more").innerText(), "Showing 200 of 1000; scroll for more.");
    await waitFor(async () => {
      await page.mouse.wheel(0, 20_000);
      return (await rows.count()) === 1000;
    }, { timeoutMs: 15_000, what: "every row to be shown after scrolling" });
    assert.equal(await page.locator("#more").innerText(), "");
    // textContent: rows off screen are not rendered (content-visibility), so they have no innerText.
    assert.equal(await rows.last().locator("b").textContent(), "host-0999.example.com");
    // Rows that came as text are searched too, and show like the first ones.
    await page.locator("#filter").fill("rack=r998");
    assert.deepEqual(await visibleHosts(page), ["host-0998.example.com"]);
    await page.locator("#filter").fill("failing web");
    assert.equal(await page.locator("#shown").innerText(), "167 of 1000 shown");
    assert.equal(await rows.count(), 167);
  });
});

/**
 * Hosts of the rows the filter shows. Read as textContent: rows use content-visibility, so one the browser
 * has not rendered yet (off screen, or on a busy machine) reads as "" through innerText.
 */
async function visibleHosts(page: Page): Promise<string[]> {
  const texts = await page.locator("#clients .rows > .row:visible > span:first-child > b").allTextContents();
  return texts.map((text) => text.trim());
}
