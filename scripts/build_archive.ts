/**
 * Release archives and the checksum file.
 *
 * Archives are made by the system's GNU `tar` and Info-ZIP `zip` (Debian package `zip`) rather than by
 * hand-written code: both are on every Linux release machine (ubuntu-latest has them) and their output
 * is what users' tools expect.
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "./build_exec.ts";
import type { Target } from "./build_targets.ts";
import { writeLaunchers } from "./build_layout.ts";

/** A file to put in an archive: where it is now and its name inside. */
export interface ArchiveEntry {
  readonly from: string;
  readonly name: string;
}

/**
 * `pushprox-<version>.<target>`: the archive's base name and the one directory inside it, so
 * unpacking never scatters files into the current directory.
 */
export function archiveBaseName(version: string, target: Target): string {
  return `pushprox-${version}.${target.name}`;
}

/**
 * Packs `entries` (the executable first), plus the program names beside it, into `<distDir>/<base>.tar.gz` (or `.zip` for Windows) under a top directory
 * `<base>/`; returns the archive's file name (relative to `distDir`).
 * @throws {Error} when tar or zip is missing or fails; for zip the message says to install it.
 */
export async function writeArchive(
  distDir: string,
  version: string,
  target: Target,
  entries: readonly ArchiveEntry[],
): Promise<string> {
  const base = archiveBaseName(version, target);
  const stage = join(distDir, `.stage-${target.name}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(join(stage, base), { recursive: true });
  try {
    for (const entry of entries) await linkOrCopy(entry.from, join(stage, base, entry.name));
    // The program names: hard links, which tar stores as links, so the executable is packed once.
    await writeLaunchers(join(stage, base), target);
    const file = `${base}.${target.archive}`;
    const out = join(distDir, file);
    await rm(out, { force: true });
    if (target.archive === "zip") {
      await exec("zip", ["-q", "-X", "-r", out, base], { cwd: stage }).catch((error) => {
        throw new Error(
          `Cannot write ${file}: the build needs Info-ZIP "zip" (Debian: apt-get install zip)`,
          {
            cause: error,
          },
        );
      });
    } else {
      // Owner 0 so unpacking as root does not hand the files to whichever uid ran the build.
      await exec("tar", ["-czf", out, "--owner=0", "--group=0", "--numeric-owner", base], { cwd: stage });
    }
    return file;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** A hard link saves copying ~100 MB per binary; a copy covers file systems that refuse links. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** The SHA-256 of a file, hex, read as a stream so a 100 MB binary is never held in memory whole. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * Writes `<distDir>/SHA256SUMS` for `files` (paths relative to `distDir`, forward slashes) in the
 * format `sha256sum -c` reads: `<hex>  <path>`, sorted by path. Returns the text written.
 */
export async function writeChecksums(distDir: string, files: readonly string[]): Promise<string> {
  const sorted = [...files].sort();
  const lines = [];
  for (const file of sorted) lines.push(`${await sha256File(join(distDir, file))}  ${file}\n`);
  const text = lines.join("");
  await writeFile(join(distDir, "SHA256SUMS"), text);
  return text;
}
