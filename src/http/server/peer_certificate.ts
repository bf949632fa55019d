/**
 * A client certificate as both servers get it: node:tls's `getPeerCertificate()` object (Deno's node:tls and
 * Bun's sockets return the same shape) turned into the core's {@linkcode PeerCertificate}.
 * @module
 */
import type { PeerCertificate } from "../../runtime/types.ts";

/** The fields of node:tls's `PeerCertificate` we read. */
export interface RawPeerCertificate {
  readonly subject?: { readonly CN?: string | readonly string[] } | null;
  /** `DNS:a.example.com, IP Address:10.0.0.7, ...` */
  readonly subjectaltname?: string;
  readonly fingerprint256?: string;
}

/**
 * The certificate, or null when the peer sent none (node:tls then returns an empty object).
 *
 * @example
 * ```ts
 * const peer = toPeerCertificate(socket.getPeerCertificate(), socket.authorized, "");
 * peer?.dnsNames; // ["host1.example.com"]
 * ```
 */
export function toPeerCertificate(
  raw: RawPeerCertificate | null | undefined,
  verified: boolean,
  verifyError: string,
): PeerCertificate | null {
  if (raw === null || raw === undefined || raw.fingerprint256 === undefined) return null;
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (raw.subjectaltname ?? "").split(/,\s*/)) {
    if (entry.startsWith("DNS:")) dnsNames.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith("IP Address:")) ipAddresses.push(normalizeIp(entry.slice(11)));
  }
  const cn = raw.subject?.CN;
  return {
    verified,
    verifyError: verified ? "" : verifyError || "not signed by the client CA",
    commonName: (Array.isArray(cn) ? cn[0] : cn) ?? "",
    fingerprint: raw.fingerprint256,
    dnsNames,
    ipAddresses,
  };
}

/**
 * IP addresses as the proxy keys hosts: IPv6 compressed and in lower case, no brackets (node:tls prints
 * `FD00:0:0:0:0:0:0:1`, a client polls as `fd00::1`).
 */
function normalizeIp(text: string): string {
  const ip = text.trim().toLowerCase();
  if (!ip.includes(":")) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}
