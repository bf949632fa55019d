/**
 * Host name syntax, for `--fqdn` and listen addresses. The FQDN a client claims ends up compared with the
 * host of scrape URLs and printed in `/clients`, so a typo or stray character should fail at start-up,
 * not as scrapes that never match.
 * @module
 */

const LABEL = /^[A-Za-z0-9_-]{1,63}$/;

/**
 * True for a host name (dot-separated labels of letters, digits, hyphens and underscores, each 1 to 63
 * characters, 253 characters at most), an IPv4 address, or an IPv6 address without brackets.
 *
 * @example
 * ```ts
 * isHostname("node-1.example.com"); // true
 * isHostname("10.0.0.7");           // true
 * isHostname("bad host");           // false
 * ```
 */
export function isHostname(text: string): boolean {
  if (text.includes(":")) return isIpv6Address(text);
  if (text.length === 0 || text.length > 253) return false;
  return text.split(".").every((label) => LABEL.test(label));
}

/**
 * True for an IPv6 address written without brackets, such as `::1` or `fe80::1`.
 *
 * @example
 * ```ts
 * isIpv6Address("::1");       // true
 * isIpv6Address("127.0.0.1"); // false
 * ```
 */
export function isIpv6Address(text: string): boolean {
  return text.includes(":") && /^[0-9a-f:.]+$/i.test(text) && URL.canParse(`http://[${text}]/`);
}
