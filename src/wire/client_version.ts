/**
 * Our client names its version in the User-Agent of its polls; the proxy lists it for each client (as
 * `__meta_pushprox_client_version` in `/clients` and on its status page). Upstream's client sends Go's
 * default User-Agent, which names no version: those clients are listed without one.
 * @module
 */

/** The product token of our client's User-Agent: `pushprox-ts-client/0.1.0`. */
export const CLIENT_USER_AGENT = "pushprox-ts-client";

const PREFIX = `${CLIENT_USER_AGENT}/`;
/** Versions are short and plain: anything else in the header is not shown. */
const VERSION = /^[0-9A-Za-z.+_-]{1,32}$/;

/**
 * The client version a poll's User-Agent names, or "" when it names none.
 *
 * @example
 * ```ts
 * clientVersionFromUserAgent("pushprox-ts-client/0.1.0"); // "0.1.0"
 * clientVersionFromUserAgent("Go-http-client/1.1"); // ""
 * ```
 */
export function clientVersionFromUserAgent(userAgent: string | null): string {
  if (userAgent === null || !userAgent.startsWith(PREFIX)) return "";
  const version = userAgent.slice(PREFIX.length).split(" ", 1)[0]!;
  return VERSION.test(version) ? version : "";
}
