/**
 * Escaping for the status page. Everything a client sent (FQDN, labels, pushed error texts) passes through
 * here before it reaches the HTML: a client must not be able to put markup or script on the operator's page.
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  // Rows of the status page travel one a line: a line break in a label or an error must not split one.
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * `text` safe inside HTML text and inside quoted attribute values, on one line.
 *
 * @example
 * ```ts
 * escapeHtml('<img src=x onerror="alert(1)">'); // "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return /[&<>"'\n\r]/.test(text) ? text.replace(/[&<>"'\n\r]/g, (char) => ESCAPES[char]!) : text;
}
