/**
 * The host's fully qualified domain name, as upstream's client defaults `--fqdn` to: the hostname, and when
 * that has no dot, the name DNS gives back for the host's address if it extends the hostname.
 */
import { hostname } from "node:os";
import { promises as dns } from "node:dns";

export async function lookupFqdn(timeoutMs = 2000): Promise<string> {
  const short = hostname();
  if (short.includes(".")) return short;
  const lookup = (async () => {
    const { address } = await dns.lookup(short);
    const names = await dns.reverse(address);
    return names.find((name) => name.toLowerCase().startsWith(`${short.toLowerCase()}.`)) ?? short;
  })();
  const fallback = new Promise<string>((resolve) => setTimeout(() => resolve(short), timeoutMs).unref?.());
  return await Promise.race([lookup.catch(() => short), fallback]);
}
