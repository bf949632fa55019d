/**
 * How a proxy URL appears in logs, metric labels and messages: without the user name and password a
 * `--proxy-url` may carry (`http://user:secret@proxy:8080/`), which must never reach a log.
 * @module
 */

/**
 * `url` without its user info; text that is not a URL comes back unchanged (there is nothing to strip).
 *
 * @example
 * ```ts
 * displayProxyUrl("http://user:secret@proxy.example:8080/"); // "http://proxy.example:8080/"
 * ```
 */
export function displayProxyUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url);
  }
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}
