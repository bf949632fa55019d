/**
 * Short, stable wording for network errors in pushed error bodies and logs. Runtimes word the same
 * failure differently ("connect ECONNREFUSED 127.0.0.1:9100", "Connection refused (os error 111)"); the
 * errno code, where one exists anywhere in the `cause` chain, gives the same text on both.
 */

const BY_CODE: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network is unreachable",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "temporary failure in name resolution",
  EPIPE: "broken pipe",
  ConnectionRefused: "connection refused",
  ConnectionReset: "connection reset by peer",
};

/** Resolver failures that carry no code: Deno words them only in the message. */
const BY_MESSAGE: readonly [RegExp, string][] = [
  [/temporary failure in name resolution/i, "temporary failure in name resolution"],
  [
    /name or service not known|no address associated with hostname|nodename nor servname|failed to lookup address/i,
    "no such host",
  ],
];

/** Descriptions that mean the target was never reached: no connection was made. */
const UNREACHABLE = new Set([
  "connection refused",
  "connection timed out",
  "no route to host",
  "network is unreachable",
  "no such host",
  "temporary failure in name resolution",
]);

/**
 * True when `description` (from {@linkcode describeError}) says no connection could be made.
 *
 * @example
 * ```ts
 * isUnreachable("connection refused"); // true
 * isUnreachable("connection reset by peer"); // false
 * ```
 */
export function isUnreachable(description: string): boolean {
  return UNREACHABLE.has(description);
}

/**
 * Describes an error in a few words: the errno meaning when known, else the innermost useful message.
 *
 * @example
 * ```ts
 * describeError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9100"), { code: "ECONNREFUSED" }));
 * // "connection refused"
 * ```
 */
export function describeError(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  let message = "";
  while (current !== null && current !== undefined && !seen.has(current)) {
    seen.add(current);
    if (typeof current !== "object") {
      message ||= String(current);
      break;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code in BY_CODE) return BY_CODE[code];
    const text = (current as { message?: unknown }).message;
    if (typeof text === "string" && text !== "") {
      const known = BY_MESSAGE.find(([pattern]) => pattern.test(text));
      if (known !== undefined) return known[1];
      message ||= text;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return message || "unknown error";
}
