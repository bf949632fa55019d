/**
 * The linux-arm64 binaries really work: run under `qemu-aarch64-static` with a Debian arm64 sysroot,
 * an arm64 proxy and an arm64 client carry one scrape from Prometheus-style absolute-form request to
 * a static target and back. Needs `npm run build` (or `--target=linux-arm64`), Debian's
 * `qemu-user-static`, and network access to the Debian archive the first time (for the sysroot).
 *
 * qemu makes bun's start slow (JIT under emulation): timeouts here are generous on purpose.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTargets } from "../../scripts/build_targets.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { freePort, waitForPort } from "../support/ports.ts";
import { listedClients } from "../support/pushprox.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { ProcessSet } from "../support/process.ts";
import { startStaticTarget } from "../support/static_target.ts";
import { GiveUp, waitFor } from "../support/wait.ts";
import { binaryPath, requireBuilt } from "./dist_files.ts";
import { commandFor } from "./target_runner.ts";

const [target] = parseTargets("linux-arm64");
/** Measured: ~1 s to `--version` and to listening under qemu on a 2-core machine; 20x headroom. */
const START_TIMEOUT_MS = 30_000;
/** Building the sysroot the first time: apt-get update and three downloads (~3 s here). */
const SYSROOT_TIMEOUT_MS = 120_000;

const procs = new ProcessSet();
after(() => procs.cleanup());

async function spawnArm64(program: "proxy" | "client", args: string[]) {
  const path = requireBuilt(binaryPath(target, program), "npm run build -- --target=linux-arm64", true);
  return procs.spawn({ name: `${program} (arm64, qemu)`, ...await commandFor(target, path, args) });
}

describe("linux-arm64 binaries under qemu", () => {
  it("an arm64 proxy and an arm64 client carry a scrape to a static target and back", {
    timeout: SYSROOT_TIMEOUT_MS + START_TIMEOUT_MS * 4,
  }, async () => {
    const scrapeTarget = await startStaticTarget(procs);
    const proxyPort = await freePort();
    const proxy = await spawnArm64("proxy", [`--web.listen-address=127.0.0.1:${proxyPort}`]);
    await waitForPort(proxyPort, {
      timeoutMs: START_TIMEOUT_MS,
      what: proxy.name,
      abortReason: () => proxy.deathReason(),
      details: () => proxy.logs(),
    });
    const proxyUrl = `http://127.0.0.1:${proxyPort}/`;
    // The client scrapes the host it registered as, so registering as 127.0.0.1 keeps it on loopback.
    const client = await spawnArm64("client", [
      `--proxy-url=${proxyUrl}`,
      "--fqdn=127.0.0.1",
      "--metrics-addr=",
    ]);
    await waitFor(async () => {
      const reason = client.deathReason();
      if (reason !== undefined) throw new GiveUp(reason);
      return (await listedClients(proxyUrl)).includes("127.0.0.1");
    }, { timeoutMs: START_TIMEOUT_MS, what: "the arm64 client to register", details: () => procs.logs() });

    const response = await rawExchange(
      proxyPort,
      absoluteFormGet(`http://127.0.0.1:${scrapeTarget.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "20",
      ]]),
      START_TIMEOUT_MS,
    );
    assert.equal(statusOf(response), 200, procs.logs());
    assert.equal(bodyText(response), scrapeTarget.body);
    assert.deepEqual(scrapeTarget.requests.map((r) => `${r.method} ${r.url}`), ["GET /metrics"]);
  });
});
