/**
 * Reading the recipes under scripts/recipes/ as operators get them, and pointing them at a test's own
 * ports and files.
 * @module
 */
import { readFileSync } from "node:fs";
import { repoPath } from "./paths.ts";

/** The text of `scripts/recipes/<path>`. */
export function readRecipe(path: string): string {
  return readFileSync(repoPath(`scripts/recipes/${path}`), "utf8");
}

/**
 * Replaces every `from` in `text` with `to`, and throws when `from` is not there: a test must fail when
 * the recipe changes under it rather than quietly test something else.
 *
 * @example
 * ```ts
 * substitute(readRecipe("prometheus/http_sd.yml"), "proxy.example.com:8080", `127.0.0.1:${port}`);
 * ```
 */
export function substitute(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`Cannot render the recipe: ${JSON.stringify(from)} not found`);
  return text.replaceAll(from, to);
}
