/**
 * The names a basic-auth client may register (`pushprox.clients` in the web config): a host name, `*.domain`
 * for any name under that domain (at any depth, not the domain itself), or `*` for any name. Names are
 * compared in lower case, as the proxy keys clients.
 * @module
 */

/**
 * True when `fqdn` (already lower case) is one of `patterns`.
 *
 * @example
 * ```ts
 * nameAllowed(["*.web.example.com"], "a.web.example.com"); // true
 * nameAllowed(["*.web.example.com"], "web.example.com"); // false
 * ```
 */
export function nameAllowed(patterns: readonly string[], fqdn: string): boolean {
  for (const pattern of patterns) {
    if (pattern === "*" || pattern === fqdn) return true;
    if (pattern.startsWith("*.") && fqdn.length > pattern.length - 1 && fqdn.endsWith(pattern.slice(1))) {
      return true;
    }
  }
  return false;
}
