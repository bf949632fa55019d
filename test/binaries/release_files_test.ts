/**
 * What a user downloads: every archive holds one executable with `proxy` and `client` beside it (hard
 * links on Unix, `.cmd` files on Windows), LICENSE and README.md under one directory; the Linux archives
 * stay small enough to copy to many hosts; every archive that can run here runs under all three names
 * once unpacked; and `sha256sum -c SHA256SUMS` passes. Needs a full `npm run build`.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { archiveBaseName } from "../../scripts/build_archive.ts";
import { executableName, launcherName } from "../../scripts/build_layout.ts";
import { type Target, TARGETS } from "../../scripts/build_targets.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { freePort, waitForPort } from "../support/ports.ts";
import { ProcessSet } from "../support/process.ts";
import { listedClients } from "../support/pushprox.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { startStaticTarget } from "../support/static_target.ts";
import { waitFor } from "../support/wait.ts";
import { archivePath, DIST, executablePath, requireBuilt, thisMachine } from "./dist_files.ts";
import { commandFor, runnableTargets } from "./target_runner.ts";

/** Half of what the two-executable linux-x64 archive weighed (105.7 MB): the bound. */
const MAX_LINUX_ARCHIVE_BYTES = 55e6;
/** Starting under qemu takes about a second here; `--version` natively a few ms. */
const RUN_TIMEOUT_MS = 30_000;

const procs = new ProcessSet();
const scratch = mkdtempSync(join(tmpdir(), "pushprox-release-"));
after(async () => {
  await procs.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** `tar tzvf` / `unzip -Z1` lines of an archive, directories left out. */
function listArchive(path: string, zip: boolean): string[] {
  const listing = zip
    ? execFileSync("unzip", ["-Z1", path], { encoding: "utf8" })
    : execFileSync("tar", ["-tzvf", path], { encoding: "utf8" });
  return listing.split("\n").filter((line) => line !== "" && !line.endsWith("/"));
}

/** Unpacks a target's archive as a user would (`tar xzf`), once; returns the directory it made. */
const unpacked = new Map<string, string>();
function unpack(target: Target): string {
  let dir = unpacked.get(target.name);
  if (dir === undefined) {
    const into = join(scratch, target.name);
    execFileSync("mkdir", ["-p", into]);
    execFileSync("tar", ["-xzf", requireBuilt(archivePath(target)), "-C", into]);
    dir = join(into, archiveBaseName(VERSION, target));
    unpacked.set(target.name, dir);
  }
  return dir;
}

async function runIn(target: Target, dir: string, name: string, args: string[]) {
  const child = procs.spawn({
    name: `${target.name}/${name}`,
    ...await commandFor(target, join(dir, name), args),
  });
  const status = await child.waitForExit(RUN_TIMEOUT_MS);
  return { ...status, stdout: child.stdout, logs: child.logs() };
}

describe("release files", () => {
  for (const target of TARGETS) {
    const zip = target.archive === "zip";
    it(`the ${target.name} archive holds the executable once, a name per program, LICENSE and README.md`, {
      timeout: 60_000,
    }, () => {
      const dir = archiveBaseName(VERSION, target);
      const lines = listArchive(requireBuilt(archivePath(target)), zip);
      const names = lines.map((line) => line.split(" ").find((word) => word.startsWith(`${dir}/`))!).sort();
      const exe = executableName(target);
      const proxy = launcherName(target, "proxy");
      const client = launcherName(target, "client");
      assert.deepEqual(
        names,
        [`${dir}/${exe}`, `${dir}/LICENSE`, `${dir}/README.md`, `${dir}/${client}`, `${dir}/${proxy}`].sort(),
      );
      if (!zip) {
        for (const name of [proxy, client]) {
          assert.ok(
            lines.some((line) =>
              line.startsWith("h") && line.endsWith(`${dir}/${name} link to ${dir}/${exe}`)
            ),
            `${name} is a hard link to ${exe}:\n${lines.join("\n")}`,
          );
        }
      }
    });
  }

  for (const target of TARGETS.filter((t) => t.name.startsWith("linux-x64"))) {
    it(`the ${target.name} archive is at most 55 MB`, () => {
      const size = statSync(requireBuilt(archivePath(target))).size;
      assert.ok(size <= MAX_LINUX_ARCHIVE_BYTES, `${archivePath(target)} is ${(size / 1e6).toFixed(1)} MB`);
    });
  }

  for (const target of runnableTargets(TARGETS)) {
    it(`${target.name}, unpacked: proxy, client and pushprox <command> each run the right program`, {
      timeout: 120_000 + RUN_TIMEOUT_MS * 5,
    }, async () => {
      const dir = unpack(target);
      const line = (program: string) =>
        new RegExp(`^${program} ${VERSION.replaceAll(".", "\\.")} \\(bun [\\d.]+, ${target.name}\\)\\n$`);
      const runs: Array<[string, string[], RegExp]> = [
        ["proxy", ["--version"], line("proxy")],
        ["client", ["--version"], line("client")],
        ["pushprox", ["--version"], line("pushprox")],
        ["pushprox", ["proxy", "--version"], line("proxy")],
        ["pushprox", ["client", "--version"], line("client")],
      ];
      for (const [name, args, expected] of runs) {
        const result = await runIn(target, dir, name, args);
        assert.equal(result.code, 0, result.logs);
        assert.match(result.stdout, expected, `${name} ${args.join(" ")}`);
      }
      const bare = await runIn(target, dir, "pushprox", []);
      assert.equal(bare.code, 2, bare.logs);
      assert.match(bare.logs, /pushprox: missing command: expected proxy or client/);
    });
  }

  it(
    "the unpacked host archive carries a scrape: ./proxy and ./pushprox client",
    { timeout: 60_000 },
    async () => {
      const target = thisMachine();
      const dir = unpack(target);
      const scrapeTarget = await startStaticTarget(procs);
      const port = await freePort();
      const proxy = procs.spawn({
        name: "proxy",
        command: join(dir, "proxy"),
        args: [`--web.listen-address=127.0.0.1:${port}`],
      });
      await waitForPort(port, {
        timeoutMs: RUN_TIMEOUT_MS,
        what: "proxy",
        abortReason: () => proxy.deathReason(),
      });
      const proxyUrl = `http://127.0.0.1:${port}/`;
      procs.spawn({
        name: "client",
        command: join(dir, "pushprox"),
        args: ["client", `--proxy-url=${proxyUrl}`, "--fqdn=127.0.0.1", "--metrics-addr="],
      });
      await waitFor(async () => (await listedClients(proxyUrl)).includes("127.0.0.1"), {
        timeoutMs: RUN_TIMEOUT_MS,
        what: "the client to register",
        details: () => procs.logs(),
      });
      const response = await rawExchange(
        port,
        absoluteFormGet(`http://127.0.0.1:${scrapeTarget.port}/metrics`, [[
          "X-Prometheus-Scrape-Timeout-Seconds",
          "10",
        ]]),
        RUN_TIMEOUT_MS,
      );
      assert.equal(statusOf(response), 200, procs.logs());
      assert.equal(bodyText(response), scrapeTarget.body);
    },
  );

  // Hashing ~1 GB takes several seconds: more than bun's default test timeout.
  it(
    "SHA256SUMS lists every archive and executable, and sha256sum -c accepts it",
    { timeout: 120_000 },
    () => {
      const sums = readFileSync(requireBuilt(join(DIST, "SHA256SUMS")), "utf8");
      const listed = sums.trimEnd().split("\n").map((line) => line.replace(/^[0-9a-f]{64} {2}/, "")).sort();
      const expected = TARGETS.flatMap((t) => [
        `${t.name}/${executableName(t)}`,
        archivePath(t).slice(DIST.length + 1),
      ]).sort();
      assert.deepEqual(listed, expected);
      for (const t of TARGETS) requireBuilt(executablePath(t));
      const report = execFileSync("sha256sum", ["--strict", "-c", "SHA256SUMS"], {
        cwd: DIST,
        encoding: "utf8",
      });
      assert.equal(
        report.trimEnd().split("\n").filter((line) => line.endsWith(": OK")).length,
        expected.length,
      );
    },
  );
});
