/**
 * A few words from the error text upstream's Go client pushes for a failed scrape. Its push is always
 * `HTTP/0.0 500 Internal Server Error` with the error as the body, e.g. `failed to scrape
 * http://h:9100/metrics: Get "http://h:9100/metrics": dial tcp 127.0.0.1:9100: connect: connection
 * refused`; the status line is all Prometheus shows, so the proxy writes the cause there, worded as our
 * own client words it.
 */

const LOOKUP_FAILED = /\blookup ([^\s:]+)(?: on \S+)?: no such host\b/;
const DIAL_FAILED = /\bdial tcp ([^\s:]*:\d+): (?:connect: )?(.+)$/;
const TIMED_OUT = /context deadline exceeded|Client\.Timeout exceeded|\(Timeout exceeded/;
const WRAPPERS = /^(?:failed to scrape \S+: )?(?:Get "[^"]*": )?/;

/**
 * The reason phrase for a Go client's error text, or null when the text is empty.
 *
 * @example
 * ```ts
 * goClientErrorPhrase('failed to scrape http://h:9100/metrics: Get "http://h:9100/metrics": dial tcp: lookup h on 127.0.0.53:53: no such host');
 * // "target unreachable: no such host h"
 * ```
 */
export function goClientErrorPhrase(text: string): string | null {
  const line = text.trim().split("\n", 1)[0]!.trim();
  if (line === "") return null;
  const lookup = LOOKUP_FAILED.exec(line);
  if (lookup !== null) return `target unreachable: no such host ${lookup[1]}`;
  const dial = DIAL_FAILED.exec(line);
  if (dial !== null) return `target unreachable: ${dial[2]} (${dial[1]})`;
  if (TIMED_OUT.test(line)) return "target timed out";
  return `client error: ${line.replace(WRAPPERS, "")}`;
}
