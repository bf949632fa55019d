/**
 * The one line a program prints when it cannot bind its listening socket. Each runtime words the failure
 * its own way (Bun: "Failed to listen at 127.0.0.1", Deno's node:http: "listen EADDRINUSE: address already
 * in use 127.0.0.1:8080"), but all of them set the system error code, so the line is built from that: the
 * same words on every runtime, naming the address and the flag that chose it.
 * @module
 */

/** Plain words for the bind errors an operator can cause and fix. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: "address already in use (is another copy running?)",
  EADDRNOTAVAIL: "address not available on this host",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EPERM: "permission denied",
  ENOTFOUND: "host name not found",
  EAI_NONAME: "host name not found",
};

/**
 * `Cannot listen on <address> (--<flag>): <reason>`.
 *
 * @example
 * ```ts
 * listenFailure(Object.assign(new Error("Failed to listen"), { code: "EADDRINUSE" }), ":8080", "web.listen-address");
 * // "Cannot listen on :8080 (--web.listen-address): address already in use (is another copy running?)"
 * ```
 */
export function listenFailure(error: unknown, address: string, flag: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === "string" && code in REASONS
    ? REASONS[code]
    : error instanceof Error
    ? error.message
    : String(error);
  return `Cannot listen on ${address} (--${flag}): ${reason}`;
}
