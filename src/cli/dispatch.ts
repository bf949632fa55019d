/**
 * One executable, two programs: which of them a command line asks for. Release archives ship a single
 * `pushprox` executable with `proxy` and `client` as hard links to it, so the name it was started as picks
 * the program (`./proxy --web.listen-address=:8080` works exactly as with a binary of its own); started
 * under any other name it takes the program as its first argument (`pushprox client --proxy-url=...`).
 * @module
 */

/** The two programs. */
export type Program = "proxy" | "client";

/** What the command line asks for. */
export type Dispatch =
  | { readonly kind: "run"; readonly program: Program; readonly args: readonly string[] }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "usage"; readonly message: string };

/**
 * Text of `pushprox --help`.
 */
export const DISPATCH_HELP = `usage: pushprox <command> [flags]

Commands:
  proxy     run the proxy (where Prometheus and the clients can reach it)
  client    run a client (on a host Prometheus cannot reach)

"pushprox <command> --help" lists the command's flags. Started as "proxy" or "client" (the hard links in
the release archive, or any name ending in "-proxy" or "-client"), the executable runs that command.
`;

/**
 * The program a name stands for: its base name without `.exe`, equal to `proxy`/`client` or ending in
 * `-proxy`/`_proxy` (so `/usr/local/bin/pushprox-client` works); null for any other name.
 *
 * @example
 * ```ts
 * programFromName("/usr/local/bin/pushprox-client"); // "client"
 * programFromName("pushprox"); // null
 * ```
 */
export function programFromName(invokedAs: string): Program | null {
  const base = invokedAs.split(/[\\/]/).pop()!.replace(/\.exe$/i, "").toLowerCase();
  for (const program of ["proxy", "client"] as const) {
    if (base === program || base.endsWith(`-${program}`) || base.endsWith(`_${program}`)) return program;
  }
  return null;
}

/**
 * Reads what to run from the name the executable was started as and its arguments.
 *
 * @example
 * ```ts
 * dispatch("./proxy", ["--web.listen-address=:8080"]); // run proxy with those flags
 * dispatch("pushprox", ["client", "--proxy-url=http://p:8080/"]); // run client
 * ```
 */
export function dispatch(invokedAs: string, args: readonly string[]): Dispatch {
  const byName = programFromName(invokedAs);
  if (byName !== null) return { kind: "run", program: byName, args };
  const [first, ...rest] = args;
  if (first === "proxy" || first === "client") return { kind: "run", program: first, args: rest };
  if (first === "-h" || first === "--help" || first === "help") return { kind: "help" };
  if (first === "--version" || first === "version") return { kind: "version" };
  if (first === undefined) return { kind: "usage", message: "missing command: expected proxy or client" };
  return { kind: "usage", message: `unknown command "${first}": expected proxy or client` };
}
