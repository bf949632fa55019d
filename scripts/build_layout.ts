/**
 * What a release directory holds for one target: the one `pushprox` executable, and a name per program
 * that starts it as that program. On Unix the names are hard links (the executable picks its program from
 * the name it was started as; GNU tar stores the links as links, so an archive carries the ~100 MB
 * executable once). Windows has no use for that trick in practice, so it gets two one-line `.cmd` files.
 * @module
 */
import { link, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Target } from "./build_targets.ts";

/** The executable's base name. */
export const EXECUTABLE = "pushprox";

/** The programs, each with a name of its own in every release directory. */
export const PROGRAMS = ["proxy", "client"] as const;

/** `pushprox`, or `pushprox.exe` on Windows. */
export function executableName(target: Target): string {
  return `${EXECUTABLE}${target.exeSuffix}`;
}

/** The file a user runs for `program`: `proxy` (a hard link), or `proxy.cmd` on Windows. */
export function launcherName(target: Target, program: (typeof PROGRAMS)[number]): string {
  return target.exeSuffix === ".exe" ? `${program}.cmd` : program;
}

/** A `.cmd` file that runs the executable beside it as `program`, passing every argument on. */
export function windowsLauncher(target: Target, program: (typeof PROGRAMS)[number]): string {
  return `@"%~dp0${executableName(target)}" ${program} %*\r\n`;
}

/**
 * Adds the program names beside `dir`'s executable, replacing any already there. Returns their names.
 * @throws {Error} when the file system refuses hard links (the release needs them; a copy would double
 * the archive).
 */
export async function writeLaunchers(dir: string, target: Target): Promise<string[]> {
  const names = [];
  for (const program of PROGRAMS) {
    const name = launcherName(target, program);
    const path = join(dir, name);
    await rm(path, { force: true });
    if (target.exeSuffix === ".exe") await writeFile(path, windowsLauncher(target, program));
    else await link(join(dir, executableName(target)), path);
    names.push(name);
  }
  return names;
}
