/**
 * A minimal Debian arm64 root (glibc, libstdc++, libgcc) for running linux-arm64 binaries on an x86-64
 * machine with `qemu-aarch64-static -L <sysroot>`. Built from Debian's own arm64 .deb files with apt's
 * ordinary client, so it needs no foreign mirror and no root filesystem image; it lives in a cache
 * directory (`.tmp/` by default), never in git.
 *
 * Run as `deno run -A scripts/arm64_sysroot.ts [dir]`; prints the sysroot path.
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * What a bun-compiled linux-arm64 binary links against (`readelf -d`: libc, libm, libdl, libpthread,
 * ld-linux-aarch64 from libc6; libstdc++.so.6, which itself needs libgcc_s).
 */
export const ARM64_SYSROOT_PACKAGES: readonly string[] = ["libc6", "libstdc++6", "libgcc-s1"];

/** The dynamic loader inside the sysroot: its presence marks a finished sysroot. */
export const ARM64_LOADER = "lib/ld-linux-aarch64.so.1";

/** Where the sysroot goes unless told otherwise: `<repo>/.tmp/arm64-sysroot`. */
export function defaultSysrootDir(): string {
  return fileURLToPath(new URL("../.tmp/arm64-sysroot", import.meta.url));
}

/**
 * Returns the path of a ready arm64 sysroot, building it first when `dir` holds none. Building runs
 * `apt-get update` into a private lists directory (the machine's own apt state is left alone), downloads
 * {@link ARM64_SYSROOT_PACKAGES} for arm64 and unpacks them with `dpkg -x`; it takes a few seconds.
 *
 * @example
 * ```ts
 * const root = await ensureArm64Sysroot();
 * // qemu-aarch64-static -L root dist/linux-arm64/proxy --version
 * ```
 * @throws {Error} naming the failed apt-get or dpkg step (e.g. not Debian, or no network to its archive).
 */
export async function ensureArm64Sysroot(dir: string = defaultSysrootDir()): Promise<string> {
  const root = resolve(dir);
  if (existsSync(join(root, ARM64_LOADER))) return root;

  // Unpack into a sibling and rename at the end, so an interrupted build never looks finished.
  const work = `${root}.work`;
  const staging = join(work, "root");
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, "lists", "partial"), { recursive: true });
  await mkdir(join(work, "debs"), { recursive: true });
  await mkdir(staging, { recursive: true });

  const aptOptions = [
    "-o",
    "APT::Architecture=arm64",
    "-o",
    "APT::Architectures=arm64",
    "-o",
    `Dir::State::Lists=${join(work, "lists")}`,
    "-o",
    `Dir::Cache=${join(work, "cache")}`,
    "-q",
  ];
  await step("apt-get update for arm64", "apt-get", [...aptOptions, "update"], work);
  await step(
    `apt-get download ${ARM64_SYSROOT_PACKAGES.join(" ")}`,
    "apt-get",
    [...aptOptions, "download", ...ARM64_SYSROOT_PACKAGES],
    join(work, "debs"),
  );
  for (const deb of await readdir(join(work, "debs"))) {
    if (deb.endsWith(".deb")) await step(`dpkg -x ${deb}`, "dpkg", ["-x", deb, staging], join(work, "debs"));
  }
  if (!existsSync(join(staging, ARM64_LOADER))) {
    throw new Error(`Cannot build the arm64 sysroot: ${ARM64_LOADER} is missing after unpacking libc6`);
  }
  await rm(root, { recursive: true, force: true });
  await rename(staging, root);
  await rm(work, { recursive: true, force: true });
  return root;
}

async function step(what: string, command: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? "";
    throw new Error(`Cannot build the arm64 sysroot: ${what} failed${stderr ? `: ${stderr}` : ""}`, {
      cause: error,
    });
  }
}

if (import.meta.main) {
  process.stdout.write(`${await ensureArm64Sysroot(process.argv[2])}\n`);
}
