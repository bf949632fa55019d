/**
 * `Basic` credentials from an `Authorization` or `Proxy-Authorization` header (RFC 7617).
 * @module
 */

/** A user name and password as the peer sent them. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * The credentials in a header value, or null when it is absent or not well-formed `Basic` credentials.
 *
 * @example
 * ```ts
 * parseBasicCredentials("Basic dXNlcjpwYXNz"); // { user: "user", password: "pass" }
 * ```
 */
export function parseBasicCredentials(header: string | null): BasicCredentials | null {
  if (header === null) return null;
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return null;
  let decoded: string;
  try {
    const binary = atob(match[1]);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
