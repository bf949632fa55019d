/**
 * How this program was built: by which compiler and for which target, or neither when it runs from
 * source. `--version` prints it so a bug report says exactly which binary it came from.
 *
 * The values are stamped in by `scripts/build.ts` and nowhere else:
 * - `bun build --compile` replaces the two identifiers below through `--define`.
 * - `deno compile` has no `--define`, so the build writes a copy of this file with the same
 *   substitution into a temporary directory and points an import map at it (`--import-map`), which
 *   works offline and leaves the source tree untouched.
 * From source neither identifier exists, and `typeof` turns that into `null` without a ReferenceError.
 * @module
 */

declare const PUSHPROX_BUILD_ENGINE: string | undefined;
declare const PUSHPROX_BUILD_TARGET: string | undefined;

/** The compiler that produced a binary and the target it was built for. */
export interface BuildInfo {
  /** "bun" or "deno" in a compiled binary; null when running from source. */
  readonly engine: string | null;
  /** A release target such as "linux-x64" or "darwin-arm64"; null when running from source. */
  readonly target: string | null;
}

/**
 * This program's build facts.
 *
 * @example
 * ```ts
 * if (BUILD_INFO.target === null) console.log("running from source");
 * ```
 */
export const BUILD_INFO: BuildInfo = Object.freeze({
  engine: typeof PUSHPROX_BUILD_ENGINE === "string" ? PUSHPROX_BUILD_ENGINE : null,
  target: typeof PUSHPROX_BUILD_TARGET === "string" ? PUSHPROX_BUILD_TARGET : null,
});

/**
 * The parenthesised part of `--version`: runtime, its version, and the target or "from source".
 * The runtime is passed in (it is the runtime adapter's business to know it), which keeps this file
 * free of runtime globals.
 *
 * @example
 * ```ts
 * describeBuild("bun", "1.4.5", { engine: "bun", target: "linux-x64" }); // "bun 1.4.5, linux-x64"
 * describeBuild("deno", "2.9.6"); // "deno 2.9.6, from source" when run with `deno run`
 * ```
 */
export function describeBuild(
  runtimeName: string,
  runtimeVersion: string,
  info: BuildInfo = BUILD_INFO,
): string {
  return `${runtimeName} ${runtimeVersion}, ${info.target ?? "from source"}`;
}

/**
 * The whole `--version` line, e.g. `proxy 0.1.0 (bun 1.4.5, linux-x64)`.
 *
 * @example
 * ```ts
 * versionLine("client", "0.1.0", "deno", "2.9.6"); // "client 0.1.0 (deno 2.9.6, from source)"
 * ```
 */
export function versionLine(
  program: string,
  version: string,
  runtimeName: string,
  runtimeVersion: string,
  info: BuildInfo = BUILD_INFO,
): string {
  return `${program} ${version} (${describeBuild(runtimeName, runtimeVersion, info)})`;
}
