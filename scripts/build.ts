/**
 * Builds the single-file `pushprox` executable (with `proxy` and `client` beside it, see build_layout.ts)
 * for every release target, their archives and `dist/SHA256SUMS`. Run as `npm run build` or
 * `deno run -A scripts/build.ts`; `--help` explains.
 *
 * Needs: the packages from `npm ci` (pinned bun and deno), GNU tar, and Info-ZIP `zip` for the
 * Windows archive. Works under deno and bun alike (only node: APIs).
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VERSION } from "../src/version.ts";
import { archiveBaseName, writeArchive, writeChecksums } from "./build_archive.ts";
import { executableName, writeLaunchers } from "./build_layout.ts";
import {
  compileWithBun,
  compileWithDeno,
  type Engine,
  engineFor,
  probeDenoCompile,
  toolVersion,
} from "./build_engines.ts";
import { findTool, inParallel } from "./build_exec.ts";
import { writeDenoImportMap } from "./build_stamp.ts";
import { hostIsMusl, hostTarget, parseTargets, type Target, TARGETS } from "./build_targets.ts";

const USAGE = `Usage: deno run -A scripts/build.ts [options]   (or: npm run build -- [options])

Builds dist/<target>/pushprox with the hard links dist/<target>/proxy and dist/<target>/client
(Windows: pushprox.exe, proxy.cmd, client.cmd), dist/pushprox-${VERSION}.<target>.tar.gz (.zip for
Windows) and dist/SHA256SUMS. A full build empties dist/ first; --host and --target replace only the
outputs of the targets they name and leave the others alone.

Options:
  --host              only this machine's target, no archive (quick)
  --target=a,b        only these targets (${TARGETS.map((t) => t.name).join(", ")})
  --engine=E          bun (default): bun build --compile, the binaries every test and benchmark runs;
                      deno: deno compile (needs its runtime download; untested here); auto: deno when
                      its runtime can be had, else bun. Targets deno has no runtime for use bun.
  --jobs=N            targets built at once (default 2)
  -h, --help          this text
`;

/** The entry point of the one executable every target ships. */
export const ENTRY = "src/main.ts";

/** Parsed command line. */
export interface BuildOptions {
  readonly targets: readonly Target[];
  readonly archives: boolean;
  /** True for a full build (no --host or --target): dist/ is emptied first. */
  readonly everything: boolean;
  readonly engine: "auto" | Engine;
  readonly jobs: number;
}

/**
 * Reads the command line.
 * @throws {TypeError} for unknown flags; {RangeError} for bad values.
 */
export function parseBuildArgs(args: readonly string[], host: () => Target): BuildOptions | "help" {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: "boolean", default: false },
      target: { type: "string" },
      engine: { type: "string", default: "bun" },
      jobs: { type: "string", default: "2" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  if (values.host && values.target !== undefined) {
    throw new RangeError("Cannot combine --host and --target: pick one");
  }
  const engine = values.engine;
  if (engine !== "auto" && engine !== "deno" && engine !== "bun") {
    throw new RangeError(`Cannot parse --engine "${engine}": expected auto, deno or bun`);
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new RangeError(`Cannot parse --jobs "${values.jobs}": expected a whole number of at least 1`);
  }
  const targets = values.host
    ? [host()]
    : values.target !== undefined
    ? parseTargets(values.target)
    : TARGETS;
  const everything = !values.host && values.target === undefined;
  return { targets, archives: !values.host, everything, engine, jobs };
}

function thisMachine(): Target {
  return hostTarget({
    platform: process.platform,
    arch: process.arch,
    musl: hostIsMusl(process.platform, process.arch),
  });
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Runs the whole build for `options` in the repository at `root`, into `dist` (`<root>/dist`). */
export async function build(root: string, options: BuildOptions, dist = join(root, "dist")): Promise<void> {
  const started = performance.now();
  if (!existsSync(join(root, ENTRY))) throw new Error(`Cannot build: ${ENTRY} does not exist`);
  const extras = ["LICENSE", "README.md"];
  if (options.archives) {
    for (const file of extras) {
      if (!existsSync(join(root, file))) throw new Error(`Cannot build archives: ${file} does not exist`);
    }
  }

  const bun = findTool(root, "bun");
  const deno = findTool(root, "deno");
  const preferred = await chooseEngine(options, deno);
  const versions: Record<Engine, string> = {
    bun: await toolVersion(bun),
    deno: options.targets.some((t) => engineFor(t, preferred) === "deno") ? await toolVersion(deno) : "",
  };

  if (options.everything) {
    await rm(dist, { recursive: true, force: true });
  } else {
    // Only what this run rebuilds goes; an archive of a target rebuilt without one would no longer
    // hold its binary, so it goes too.
    for (const target of options.targets) {
      await rm(join(dist, target.name), { recursive: true, force: true });
      await rm(join(dist, `${archiveBaseName(VERSION, target)}.${target.archive}`), { force: true });
    }
    const kept = TARGETS.filter((t) => !options.targets.includes(t) && existsSync(join(dist, t.name)));
    log(
      `replacing ${options.targets.map((t) => t.name).join(", ")} only; kept in dist/: ` +
        (kept.length === 0 ? "nothing else" : kept.map((t) => t.name).join(", ")),
    );
  }
  await mkdir(dist, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), "pushprox-build-"));
  const buildInfoPath = join(root, "src", "build_info.ts");
  const buildInfoSource = await readFile(buildInfoPath, "utf8");

  try {
    await inParallel(options.targets, options.jobs, async (target) => {
      const engine = engineFor(target, preferred);
      const stamp = { PUSHPROX_BUILD_ENGINE: engine, PUSHPROX_BUILD_TARGET: target.name };
      let importMap = "";
      if (engine === "deno") {
        const dir = join(scratch, target.name);
        await mkdir(dir, { recursive: true });
        importMap = await writeDenoImportMap(dir, buildInfoPath, buildInfoSource, stamp);
      }
      const dir = join(dist, target.name);
      await mkdir(dir, { recursive: true });
      const file = `${target.name}/${executableName(target)}`;
      const job = { root, entry: join(root, ENTRY), outfile: join(dist, file), target, stamp };
      const t0 = performance.now();
      if (engine === "deno") await compileWithDeno(deno, job, importMap);
      else await compileWithBun(bun, job);
      const names = await writeLaunchers(dir, target);
      const size = (statSync(job.outfile).size / 1e6).toFixed(1);
      log(
        `built dist/${file} (+ ${names.join(", ")}) with ${engine} ${versions[engine]} ` +
          `(${size} MB, ${seconds(t0)})`,
      );
      if (options.archives) {
        const t1 = performance.now();
        const entries = [
          { from: job.outfile, name: executableName(target) },
          ...extras.map((name) => ({ from: join(root, name), name })),
        ];
        const archive = await writeArchive(dist, VERSION, target, entries);
        log(`packed dist/${archive} (${seconds(t1)})`);
      }
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const outputs = releaseOutputs(dist);
  await writeChecksums(dist, outputs);
  log(`wrote dist/SHA256SUMS (${outputs.length} files); build took ${seconds(started)}`);
}

/** Every executable and archive in `dist`, whichever run built it: what SHA256SUMS lists. */
function releaseOutputs(dist: string): string[] {
  return TARGETS.flatMap((target) => [
    `${target.name}/${executableName(target)}`,
    `${archiveBaseName(VERSION, target)}.${target.archive}`,
  ]).filter((file) => existsSync(join(dist, file)));
}

/** Settles the engine once for the whole run and says why. */
async function chooseEngine(options: BuildOptions, deno: string): Promise<Engine> {
  if (options.engine !== "auto") {
    log(`engine: ${options.engine} (--engine)`);
    return options.engine;
  }
  const denoTarget = options.targets.find((t) => t.denoTarget !== null)?.denoTarget;
  if (denoTarget == null) {
    log("engine: bun (no selected target can be built by deno compile)");
    return "bun";
  }
  const probe = await probeDenoCompile(deno, denoTarget);
  if (probe.ok) {
    log("engine: deno (deno compile works here)");
    return "deno";
  }
  log(`engine: bun (deno compile cannot get its runtime: ${probe.reason})`);
  return "bun";
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

if (import.meta.main) {
  try {
    const options = parseBuildArgs(process.argv.slice(2), thisMachine);
    if (options === "help") log(USAGE);
    else await build(fileURLToPath(new URL("..", import.meta.url)), options);
  } catch (error) {
    process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
