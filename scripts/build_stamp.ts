/**
 * Stamps build facts into `src/build_info.ts` without touching the source tree. Bun does it with
 * `--define`; deno compile has no such flag, so {@link stampSource} produces the same substitution as
 * text and {@link writeDenoImportMap} points an import map at the stamped copy.
 * @module
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The identifiers `src/build_info.ts` declares and the build replaces. */
export interface Stamp {
  readonly PUSHPROX_BUILD_ENGINE: string;
  readonly PUSHPROX_BUILD_TARGET: string;
}

/**
 * `bun build --define` arguments for a stamp: each identifier becomes a JSON string literal.
 *
 * @example
 * ```ts
 * bunDefines({ PUSHPROX_BUILD_ENGINE: "bun", PUSHPROX_BUILD_TARGET: "linux-x64" });
 * // ["--define", 'PUSHPROX_BUILD_ENGINE="bun"', "--define", 'PUSHPROX_BUILD_TARGET="linux-x64"']
 * ```
 */
export function bunDefines(stamp: Stamp): string[] {
  return Object.entries(stamp).flatMap(([name, value]) => ["--define", `${name}=${JSON.stringify(value)}`]);
}

/**
 * What `--define` does, done on source text: drops each identifier's `declare const` line and
 * replaces its other whole-word uses with a JSON string literal.
 *
 * @throws {SyntaxError} when an identifier is not declared in `source`: the build would otherwise
 *   ship a binary that silently reports "from source".
 */
export function stampSource(source: string, stamp: Stamp): string {
  let out = source;
  for (const [name, value] of Object.entries(stamp)) {
    const declaration = new RegExp(`^declare const ${name}\\b.*\\n`, "m");
    if (!declaration.test(out)) {
      throw new SyntaxError(`Cannot stamp build info: "declare const ${name}" is missing from build_info.ts`);
    }
    out = out.replace(declaration, "").replace(new RegExp(`\\b${name}\\b`, "g"), JSON.stringify(value));
  }
  return out;
}

/**
 * Writes the stamped copy of `buildInfoPath`'s text (`source`) and an import map redirecting the
 * original's file URL to it, both into `dir`; returns the import map's path for `--import-map`.
 */
export async function writeDenoImportMap(
  dir: string,
  buildInfoPath: string,
  source: string,
  stamp: Stamp,
): Promise<string> {
  const stampedPath = join(dir, "build_info.ts");
  await writeFile(stampedPath, stampSource(source, stamp));
  const map = { imports: { [pathToFileURL(buildInfoPath).href]: pathToFileURL(stampedPath).href } };
  const mapPath = join(dir, "import_map.json");
  await writeFile(mapPath, `${JSON.stringify(map, null, 2)}\n`);
  return mapPath;
}
