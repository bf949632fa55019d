/**
 * Where things are, found from this file's own URL so tests run the same from any working directory
 * (CI runs from a fresh clone in an unknown folder).
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (the folder holding package.json). */
export const REPO_ROOT: string = resolve(fileURLToPath(new URL("../../", import.meta.url)));

/**
 * Absolute path of upstream's wire captures, kept in the repository: `<repo>/test/fixtures/pushprox-go-v0.2.0`.
 *
 * @example
 * ```ts
 * const dir = join(UPSTREAM_FIXTURES, "02-curl-scrape-plain");
 * ```
 */
export const UPSTREAM_FIXTURES: string = join(REPO_ROOT, "test", "fixtures", "pushprox-go-v0.2.0");

/** Path of a file inside the repository, from a repo-relative path. */
export function repoPath(relative: string): string {
  return join(REPO_ROOT, relative);
}
