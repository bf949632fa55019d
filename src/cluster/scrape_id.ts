/**
 * Scrape ids that name the proxy that issued them. Behind a load balancer a client's push may reach any
 * proxy of the cluster; the one that gets it reads the Id and hands the push to its issuer. Ids keep
 * upstream's UUID shape (clients echo them as they are): the first eight hex digits are replaced by a tag
 * derived from the issuer's advertise URL, which the cluster registry maps back to the URL.
 * @module
 */

/** The eight-hex-digit tag of a proxy (FNV-1a of its advertise URL). */
export function issuerTag(advertiseUrl: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < advertiseUrl.length; i++) {
    hash ^= advertiseUrl.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * A source of fresh ids carrying `advertiseUrl`'s tag.
 *
 * @example
 * ```ts
 * const newId = taggedIds("http://proxy-1:8080/", () => crypto.randomUUID());
 * newId().slice(0, 8) === issuerTag("http://proxy-1:8080/"); // true
 * ```
 */
export function taggedIds(advertiseUrl: string, randomUUID: () => string): () => string {
  const tag = issuerTag(advertiseUrl);
  return () => tag + randomUUID().slice(8);
}

/** The issuer tag of an id made by {@linkcode taggedIds}, or null for any other id. */
export function tagOfId(id: string): string | null {
  return /^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) : null;
}
