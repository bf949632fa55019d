/**
 * Listen addresses in Go's `host:port` form, as upstream's `--web.listen-address` and `--metrics-addr`
 * take them: `:8080` (all interfaces), `127.0.0.1:9369`, `localhost:0`, `[::1]:8080`.
 * @module
 */
import type { ListenAddress } from "./config_types.ts";
import { isHostname, isIpv6Address } from "./hostname.ts";

const EXPECTED = "expected host:port such as :8080, 127.0.0.1:9369 or [::1]:8080";

/**
 * Parses `host:port`. An empty host means all interfaces; IPv6 hosts go in brackets, which are removed
 * in the result (runtimes' `serve` functions want the bare address). Port 0 asks for a free port.
 *
 * @throws {SyntaxError} when the port is missing, the host is malformed or the text is not `host:port`.
 * @throws {RangeError} when the port is above 65535.
 * @example
 * ```ts
 * parseListenAddress(":8080");      // { hostname: "", port: 8080 }
 * parseListenAddress("[::1]:9369"); // { hostname: "::1", port: 9369 }
 * ```
 */
export function parseListenAddress(text: string): ListenAddress {
  const fail = (reason: string) =>
    new SyntaxError(`Cannot parse listen address ${JSON.stringify(text)}: ${reason}`);
  let hostname: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) throw fail(`missing "]" after the IPv6 address; ${EXPECTED}`);
    hostname = text.slice(1, close);
    const after = text.slice(close + 1);
    if (!after.startsWith(":")) throw fail(`missing port; ${EXPECTED}`);
    portText = after.slice(1);
    if (!isIpv6Address(hostname)) {
      throw fail(`${JSON.stringify(hostname)} is not an IPv6 address; ${EXPECTED}`);
    }
  } else {
    const colon = text.lastIndexOf(":");
    if (colon === -1) throw fail(`missing port; ${EXPECTED}`);
    hostname = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostname.includes(":")) throw fail(`put an IPv6 address in brackets; ${EXPECTED}`);
    if (hostname !== "" && !isHostname(hostname)) {
      throw fail(`${JSON.stringify(hostname)} is not a host name or IP address; ${EXPECTED}`);
    }
  }
  if (portText === "") throw fail(`missing port; ${EXPECTED}`);
  if (!/^\d{1,5}$/.test(portText)) {
    throw fail(`port ${JSON.stringify(portText)} is not a number; ${EXPECTED}`);
  }
  const port = Number(portText);
  if (port > 65535) {
    throw new RangeError(`Cannot parse listen address ${JSON.stringify(text)}: port ${port} is above 65535`);
  }
  return { hostname, port };
}

/**
 * Formats an address back to `host:port`, bracketing IPv6, for logs and help text.
 *
 * @example
 * ```ts
 * formatListenAddress({ hostname: "::1", port: 8080 }); // "[::1]:8080"
 * ```
 */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}
