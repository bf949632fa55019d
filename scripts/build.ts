/**
 * Builds the single-file `proxy` and `client` executables for every release target, their archives
 * and `dist/SHA256SUMS`. Run as `npm run build` or `deno run -A scripts/build.ts`; `--help` explains.
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
import { writeArchive, writeChecksums } from "./build_archive.ts";
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

Builds dist/<target>/proxy and dist/<target>/client, dist/pushprox-${VERSION}.<target>.tar.gz
(.zip for Windows) and dist/SHA256SUMS. dist/ is emptied first.

Options:
  --host              only this machine's target, no archives (quick)
  --target=a,b        only these targets (${TARGETS.map((t) => t.name).join(", ")})
  --engine=E          auto (default): deno compile when its runtime can be had, else bun;
                      deno | bun: force one (linux-x64-musl always uses bun: deno has no musl runtime)
  --jobs=N            targets built at once (default 2)
  -h, --help          this text
`;

/** The programs every target ships, by entry point. */
export const PROGRAMS = [
  { name: "proxy", entry: "src/main_proxy.ts" },
  { name: "client", entry: "src/main_client.ts" },
] as const;

/** Parsed command line. */
export interface BuildOptions {
  readonly targets: readonly Target[];
  readonly archives: boolean;
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
      engine: { type: "string", default: "auto" },
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
  return { targets, archives: !values.host, engine, jobs };
}

function thisMachine(): Target {
  return hostTarget({
    platform: process.platform,
    arch: process.arch,
    musl: hostIsMusl(process.platform, process.arch),
  });
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Runs the whole build for `options` in the repository at `root`. */
export async function build(root: string, options: BuildOptions): Promise<void> {
  const started = performance.now();
  const dist = join(root, "dist");
  for (const program of PROGRAMS) {
    if (!existsSync(join(root, program.entry))) {
      throw new Error(`Cannot build: ${program.entry} does not exist`);
    }
  }
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

  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), "pushprox-build-"));
  const buildInfoPath = join(root, "src", "build_info.ts");
  const buildInfoSource = await readFile(buildInfoPath, "utf8");
  const outputs: string[] = [];

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
      await mkdir(join(dist, target.name), { recursive: true });
      const built = [];
      for (const program of PROGRAMS) {
        const file = `${target.name}/${program.name}${target.exeSuffix}`;
        const job = {
          root,
          entry: join(root, program.entry),
          outfile: join(dist, file),
          target,
          stamp,
        };
        const t0 = performance.now();
        if (engine === "deno") await compileWithDeno(deno, job, importMap);
        else await compileWithBun(bun, job);
        const size = (statSync(job.outfile).size / 1e6).toFixed(1);
        log(`built dist/${file} with ${engine} ${versions[engine]} (${size} MB, ${seconds(t0)})`);
        outputs.push(file);
        built.push({ from: job.outfile, name: `${program.name}${target.exeSuffix}` });
      }
      if (options.archives) {
        const t0 = performance.now();
        const entries = [...built, ...extras.map((name) => ({ from: join(root, name), name }))];
        const archive = await writeArchive(dist, VERSION, target, entries);
        log(`packed dist/${archive} (${seconds(t0)})`);
        outputs.push(archive);
      }
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await writeChecksums(dist, outputs);
  log(`wrote dist/SHA256SUMS (${outputs.length} files); build took ${seconds(started)}`);
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
