/**
 * Labels a client announces with every poll (`--label=team=db`), for the proxy's `/clients` discovery.
 * They travel in the `PushProx-Labels` request header, an extension of the poll that upstream's proxy
 * never reads (it takes only the body, the FQDN, which stays as it was). The header holds the pairs
 * form-encoded (`team=db&env=prod`, UTF-8 percent-escaped), so any label value fits into a header's ASCII.
 *
 * Client and proxy check labels by the same rules: Prometheus' label names, without its reserved `__`
 * prefix, and non-empty well-formed UTF-8 values.
 * @module
 */

/** The poll header that carries a client's labels. */
export const LABELS_HEADER = "PushProx-Labels";
/** Most labels one client may announce: far beyond any real use, and it keeps `/clients` bounded. */
export const MAX_LABELS = 64;
/** Longest encoded header; the client refuses to start with more, the proxy refuses the poll. */
export const MAX_LABELS_HEADER_BYTES = 4096;

/** A client's labels, name to value, in the order given. */
export type Labels = ReadonlyMap<string, string>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A lone surrogate cannot be encoded as UTF-8; U+FFFD is what a decoder makes of bytes that were not. */
const NOT_UTF8 = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/;

/**
 * What is wrong with a label name, or null when Prometheus would take it as a target label.
 *
 * @example
 * ```ts
 * labelNameProblem("team"); // null
 * labelNameProblem("__address__"); // 'label name "__address__" starts with "__", which Prometheus reserves'
 * ```
 */
export function labelNameProblem(name: string): string | null {
  if (!LABEL_NAME.test(name)) {
    return `label name ${JSON.stringify(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  }
  if (name.startsWith("__")) {
    return `label name ${JSON.stringify(name)} starts with "__", which Prometheus reserves`;
  }
  return null;
}

/**
 * What is wrong with a label value, or null.
 *
 * @example
 * ```ts
 * labelValueProblem("db"); // null
 * labelValueProblem(""); // "label value is empty (Prometheus drops labels with empty values)"
 * ```
 */
export function labelValueProblem(value: string): string | null {
  if (value === "") return "label value is empty (Prometheus drops labels with empty values)";
  if (NOT_UTF8.test(value)) return `label value ${JSON.stringify(value)} is not valid UTF-8`;
  return null;
}

/**
 * The header value for `labels`.
 *
 * @example
 * ```ts
 * encodeLabels(new Map([["team", "db"], ["site", "Zürich"]])); // "team=db&site=Z%C3%BCrich"
 * ```
 */
export function encodeLabels(labels: Labels): string {
  return new URLSearchParams([...labels]).toString();
}

/**
 * Reads and checks a `PushProx-Labels` header.
 *
 * @throws {SyntaxError} naming the first label that is wrong, or the header's size.
 * @example
 * ```ts
 * parseLabelsHeader("team=db&env=prod").get("env"); // "prod"
 * ```
 */
export function parseLabelsHeader(text: string): Labels {
  if (text.length > MAX_LABELS_HEADER_BYTES) {
    throw new SyntaxError(
      `Cannot parse ${LABELS_HEADER} header: ${text.length} bytes, more than ${MAX_LABELS_HEADER_BYTES}`,
    );
  }
  const labels = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    const problem = labelNameProblem(name) ??
      (labels.has(name) ? `label ${JSON.stringify(name)} is given twice` : null) ??
      labelValueProblem(value);
    if (problem !== null) throw new SyntaxError(`Cannot parse ${LABELS_HEADER} header: ${problem}`);
    labels.set(name, value);
    if (labels.size > MAX_LABELS) {
      throw new SyntaxError(`Cannot parse ${LABELS_HEADER} header: more than ${MAX_LABELS} labels`);
    }
  }
  return labels;
}
