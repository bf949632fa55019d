/**
 * The release targets: their names in file names, and what each compiler calls them.
 * @module
 */
import { existsSync } from "node:fs";

/** One platform we ship binaries for. */
export interface Target {
  /** Our name, used in `dist/<name>/` and archive names. */
  readonly name: string;
  /** `deno compile --target`, or null where deno compile has no runtime for it (musl, baseline). */
  readonly denoTarget: string | null;
  /** `bun build --compile --target`. */
  readonly bunTarget: string;
  /** ".exe" on Windows, "" elsewhere. */
  readonly exeSuffix: string;
  /** Windows users expect zip; everyone else gets tar.gz so the executable bit survives. */
  readonly archive: "tar.gz" | "zip";
}

/** Every target a full build produces, in build order. */
export const TARGETS: readonly Target[] = [
  {
    name: "linux-x64",
    denoTarget: "x86_64-unknown-linux-gnu",
    bunTarget: "bun-linux-x64",
    exeSuffix: "",
    archive: "tar.gz",
  },
  {
    // Bun's build for x86-64 CPUs without AVX2 (before Haswell, and virtual CPUs that hide it), where
    // the plain linux-x64 runtime, built for Haswell, may die on an illegal instruction.
    name: "linux-x64-baseline",
    denoTarget: null,
    bunTarget: "bun-linux-x64-baseline",
    exeSuffix: "",
    archive: "tar.gz",
  },
  {
    name: "linux-arm64",
    denoTarget: "aarch64-unknown-linux-gnu",
    bunTarget: "bun-linux-arm64",
    exeSuffix: "",
    archive: "tar.gz",
  },
  {
    name: "darwin-x64",
    denoTarget: "x86_64-apple-darwin",
    bunTarget: "bun-darwin-x64",
    exeSuffix: "",
    archive: "tar.gz",
  },
  {
    name: "darwin-arm64",
    denoTarget: "aarch64-apple-darwin",
    bunTarget: "bun-darwin-arm64",
    exeSuffix: "",
    archive: "tar.gz",
  },
  {
    name: "windows-x64",
    denoTarget: "x86_64-pc-windows-msvc",
    bunTarget: "bun-windows-x64",
    exeSuffix: ".exe",
    archive: "zip",
  },
  {
    name: "linux-x64-musl",
    denoTarget: null,
    bunTarget: "bun-linux-x64-musl",
    exeSuffix: "",
    archive: "tar.gz",
  },
];

/**
 * Looks targets up from a `--target=a,b` value; the result keeps the order given, without repeats.
 *
 * @example
 * ```ts
 * parseTargets("linux-arm64,linux-x64").map((t) => t.name); // ["linux-arm64", "linux-x64"]
 * ```
 * @throws {RangeError} for an empty list or an unknown name, listing the known ones.
 */
export function parseTargets(list: string): Target[] {
  const names = list.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new RangeError(`Cannot parse targets "${list}": the list is empty`);
  }
  const picked: Target[] = [];
  for (const name of names) {
    const target = TARGETS.find((t) => t.name === name);
    if (target === undefined) {
      const known = TARGETS.map((t) => t.name).join(", ");
      throw new RangeError(`Cannot parse targets "${list}": unknown target "${name}" (known: ${known})`);
    }
    if (!picked.includes(target)) picked.push(target);
  }
  return picked;
}

/** Facts about the machine that decide its own target; passed in so tests can pretend. */
export interface HostFacts {
  readonly platform: string;
  readonly arch: string;
  /** Whether the C library is musl (Alpine and friends). */
  readonly musl: boolean;
}

/**
 * The target whose binaries run on the described machine.
 *
 * @example
 * ```ts
 * hostTarget({ platform: "linux", arch: "x64", musl: false }).name; // "linux-x64"
 * ```
 * @throws {RangeError} for a platform we do not ship (e.g. linux on riscv64).
 */
export function hostTarget(host: HostFacts): Target {
  const os = host.platform === "win32" ? "windows" : host.platform;
  const name = `${os}-${host.arch}${host.musl ? "-musl" : ""}`;
  const target = TARGETS.find((t) => t.name === name);
  if (target === undefined) {
    throw new RangeError(
      `Cannot build for this machine: no target "${name}" (${host.platform}/${host.arch})`,
    );
  }
  return target;
}

/**
 * Whether this Linux machine runs musl rather than glibc, judged by which dynamic loader exists
 * (glibc's wins when both are installed, as on Debian with the `musl` package).
 */
export function hostIsMusl(platform: string, arch: string): boolean {
  if (platform !== "linux") return false;
  const glibc = arch === "arm64" ? "/lib/ld-linux-aarch64.so.1" : "/lib64/ld-linux-x86-64.so.2";
  const musl = arch === "arm64" ? "/lib/ld-musl-aarch64.so.1" : "/lib/ld-musl-x86_64.so.1";
  return !existsSync(glibc) && existsSync(musl);
}
