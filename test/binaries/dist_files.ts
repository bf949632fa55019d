/**
 * Where the build puts things, and the one way binary tests ask for them: a missing file fails the
 * test with the command that makes it, instead of a bare ENOENT.
 * @module
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { VERSION } from "../../src/version.ts";
import { archiveBaseName } from "../../scripts/build_archive.ts";
import { executableName, launcherName } from "../../scripts/build_layout.ts";
import { hostIsMusl, hostTarget, type Target } from "../../scripts/build_targets.ts";
import { REPO_ROOT } from "../support/paths.ts";

/** `<repo>/dist`. */
export const DIST: string = join(REPO_ROOT, "dist");

/** The target of the machine running the tests. */
export function thisMachine(): Target {
  return hostTarget({
    platform: process.platform,
    arch: process.arch,
    musl: hostIsMusl(process.platform, process.arch),
  });
}

/** `dist/<target>/<program>`, the hard link to the executable that starts it as `program`, absolute. */
export function binaryPath(target: Target, program: "proxy" | "client"): string {
  return join(DIST, target.name, launcherName(target, program));
}

/** `dist/<target>/pushprox[.exe]`, the one executable, absolute. */
export function executablePath(target: Target): string {
  return join(DIST, target.name, executableName(target));
}

/** `dist/pushprox-<version>.<target>.tar.gz` (or `.zip`), absolute. */
export function archivePath(target: Target): string {
  return join(DIST, `${archiveBaseName(VERSION, target)}.${target.archive}`);
}

/**
 * Returns `path` when it exists (and is executable, for binaries), else throws an Error naming the
 * file and the build command that produces it.
 */
export function requireBuilt(path: string, how = "npm run build", executable = false): string {
  try {
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
  } catch {
    const shown = path.startsWith(`${REPO_ROOT}/`) ? path.slice(REPO_ROOT.length + 1) : path;
    throw new Error(
      `${shown} is missing${executable ? " or not executable" : ""}: build it first with \`${how}\``,
    );
  }
  return path;
}
