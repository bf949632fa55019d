/**
 * How fast the status page is with many clients: the proxy's app with N clients registered through real
 * polls (each with labels; every tenth with a failed scrape), served over node:http, loaded in Debian's
 * headless Chromium. Reports the server's time to build the page, its size, the browser's time to a
 * loaded and painted page, and the time the filter box takes to filter every row.
 *
 * Run: `deno run -A scripts/bench/status_page.ts [--clients=10000] [--runs=3]`
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import type { ClientStats } from "../../src/proxy/client_stats.ts";
import { proxyAppHarness } from "../../src/proxy/testing/app_harness.ts";
import { CHROMIUM_BIN } from "../../test/support/browser.ts";
import { cpuMs } from "./proc_stat.ts";

const { values } = parseArgs({ options: { clients: { type: "string" }, runs: { type: "string" } } });
const CLIENTS = Number(values.clients ?? 10_000);
const RUNS = Number(values.runs ?? 3);

/** The Chromium browser process started with this profile directory (playwright does not tell). */
function browserProcess(profile: string): number {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (args.includes(`--user-data-dir=${profile}`) && !args.some((arg) => arg.startsWith("--type="))) {
        return Number(name);
      }
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`Cannot find the Chromium process for profile ${profile}`);
}

/** `root` and every process below it, from the parent ids in /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    for (const [pid, parent] of parents) if (parent === found[i]) found.push(pid);
  }
  return found.filter((pid) => parents.has(pid));
}

/** CPU ms of the browser's process tree; a process that exits between listing and reading counts 0. */
function treeCpuMs(root: number): number {
  return descendants(root).reduce((sum, pid) => {
    try {
      return sum + cpuMs(pid);
    } catch {
      return sum;
    }
  }, 0);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { handler, coordinator } = proxyAppHarness({ pollIdleTimeoutMs: 0 });
  const stop = new AbortController();
  const teams = ["db", "web", "cache", "queue", "batch"];
  for (let i = 0; i < CLIENTS; i++) {
    const labels = `team=${teams[i % teams.length]}&env=${i % 3 === 0 ? "staging" : "prod"}&rack=r${i % 40}`;
    void handler(
      new Request("http://proxy/poll", {
        method: "POST",
        body: `host-${String(i).padStart(5, "0")}.dc1.example.com`,
        headers: { "PushProx-Labels": labels, "User-Agent": "pushprox-ts-client/0.1.0" },
        signal: stop.signal,
      }),
      { absoluteForm: false, remoteAddress: "127.0.0.1" },
    ).catch(() => {});
  }
  while (coordinator.clientCount < CLIENTS) await new Promise((resolve) => setTimeout(resolve, 10));
  for (const [i, view] of coordinator.clients().entries()) {
    const stats = view.stats as ClientStats;
    for (let n = 0; n < 20; n++) stats.scraped(null, Date.now());
    if (i % 10 === 0) {
      stats.scraped(`500 failed to scrape http://${view.fqdn}:9100/metrics: connection refused`, Date.now());
    }
  }

  const renderMs: number[] = [];
  let pageBytes = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const response = await handler(new Request(`http://127.0.0.1${req.url}`), {
      absoluteForm: false,
      remoteAddress: "127.0.0.1",
    });
    const body = new Uint8Array(await response.arrayBuffer());
    if (req.url === "/") {
      renderMs.push(performance.now() - started);
      pageBytes = body.byteLength;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  const profile = mkdtempSync(join(tmpdir(), "pushprox-bench-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  });
  const browserPid = browserProcess(profile);
  const loaded: number[] = [];
  const cpu: number[] = [];
  const painted: number[] = [];
  const filtered: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage();
      const cpuBefore = treeCpuMs(browserPid);
      const started = performance.now();
      await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: "load" });
      loaded.push(performance.now() - started);
      cpu.push(treeCpuMs(browserPid) - cpuBefore);
      // Strings evaluated in the page: this script is type-checked without the DOM's types.
      painted.push(Number(
        await page.evaluate(`new Promise((resolve) => requestAnimationFrame(() =>
        requestAnimationFrame(() => resolve(performance.now()))))`),
      ));
      const listed = String(await page.evaluate(`document.getElementById("more").textContent`));
      if (!listed.includes(`of ${CLIENTS};`)) {
        throw new Error(`the page does not list every client: "${listed}"`);
      }
      if (process.env.DEBUG_TIMING) {
        console.log(
          await page.evaluate(`JSON.stringify((() => {
          const n = performance.getEntriesByType("navigation")[0];
          return { responseEnd: n.responseEnd, domInteractive: n.domInteractive, load: n.loadEventEnd,
            fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime }; })())`),
        );
      }
      filtered.push(Number(
        await page.evaluate(`(() => {
          const input = document.getElementById("filter");
          const started = performance.now();
          input.value = "staging";
          input.dispatchEvent(new Event("input"));
          document.body.offsetHeight;
          return performance.now() - started;
        })()`),
      ));
      await page.close();
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    server.close();
    stop.abort();
    coordinator.close();
  }
  const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;
  console.log(`status page, ${CLIENTS} clients, median of ${RUNS} loads in Chromium (${CHROMIUM_BIN}):`);
  console.log(
    `  server builds the page:          ${ms(renderMs)} (${(pageBytes / 1e6).toFixed(1)} MB of HTML)`,
  );
  console.log(`  navigation to load event:        ${ms(loaded)}`);
  console.log(`  navigation to painted frame:     ${ms(painted)}`);
  console.log(`  Chromium CPU to the load event:  ${ms(cpu)} (all its processes; wall times grow with load)`);
  console.log(`  filter over every client:        ${ms(filtered)} (and show the first matching rows)`);
}

if (import.meta.main) {
  await main();
  process.exit(0);
}
