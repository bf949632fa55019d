/**
 * FQDNs as the proxy keys clients: what a client claims in its poll body must match the host part of the
 * URLs Prometheus scrapes. Both sides are normalised the same way (lower case, IPv6 brackets removed).
 */
import { HttpError } from "./http_error.ts";

const MAX_FQDN_LENGTH = 253;
/** Hostnames (letters, digits, "-", "_", dots), IPv4 and IPv6 literals. */
const FQDN_PATTERN = /^[a-z0-9_:][a-z0-9_.:-]*$/;

/** Validates the FQDN a client polls for; throws HttpError(400) naming what is wrong. */
export function parsePolledFqdn(text: string): string {
  const fqdn = normalizeHost(text.trim());
  if (fqdn.length === 0) throw new HttpError(400, "poll body must hold the client's FQDN; it is empty");
  if (fqdn.length > MAX_FQDN_LENGTH) {
    throw new HttpError(
      400,
      `FQDN in poll body is ${fqdn.length} characters long; at most ${MAX_FQDN_LENGTH} are allowed`,
    );
  }
  if (!FQDN_PATTERN.test(fqdn)) {
    throw new HttpError(
      400,
      `FQDN in poll body ${JSON.stringify(fqdn.slice(0, 64))} has characters a host name cannot have`,
    );
  }
  return fqdn;
}

/** The key for a URL host: lower case, without IPv6 brackets. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
}
