/**
 * Reason phrases that carry a cause. Prometheus shows a failed scrape as `server returned HTTP status
 * <code> <reason phrase>`, and the status line is the only part of a failed scrape it shows: a phrase
 * naming the cause is what reaches the operator. A status line must stay one valid line, so a phrase is
 * cut down to printable ASCII on one line, and kept short enough to read on a targets page.
 */

/** Longest reason phrase we write; the full text goes in the body. */
export const MAX_REASON_PHRASE = 120;

// Everything but printable ASCII: controls (CR and LF above all) would break the status line, and bytes
// past 0x7E are legal only as obs-text, which a Web `Response` or a strict client may refuse.
const NOT_PRINTABLE = /[^\x20-\x7e]+/g;
const CLEAN = /^[\x21-\x7e](?:[\x21-\x7e]| (?! ))*$/;

/**
 * `text` as a reason phrase: runs of anything but printable ASCII become one space, spaces are collapsed
 * and trimmed, and a phrase longer than `maxLength` is cut at a word boundary where one is near, ending in
 * "...". Returns "" for text with nothing printable (the caller then writes the standard phrase).
 *
 * @example
 * ```ts
 * toReasonPhrase("target unreachable:\r\n no such host h1"); // "target unreachable: no such host h1"
 * toReasonPhrase("d\u00e9lai d\u00e9pass\u00e9"); // "d lai d pass"
 * ```
 */
export function toReasonPhrase(text: string, maxLength = MAX_REASON_PHRASE): string {
  // Most phrases ("OK", or ours) are clean already: one test instead of three rewrites.
  const phrase = CLEAN.test(text) && !text.endsWith(" ")
    ? text
    : text.replace(NOT_PRINTABLE, " ").replace(/ {2,}/g, " ").trim();
  if (phrase.length <= maxLength) return phrase;
  const room = maxLength - 3;
  const space = phrase.lastIndexOf(" ", room);
  const cut = space >= room - 20 && space > 0 ? space : room;
  return `${phrase.slice(0, cut).trimEnd()}...`;
}
