/**
 * Types shared by the proxy's and the client's configuration, and by the code that consumes them.
 * @module
 */
import type { LogFormat, LogLevel } from "../log/level.ts";

export type { LogFormat, LogLevel };

/**
 * Where to listen. An empty hostname means all interfaces; IPv6 hostnames are bare (`::1`).
 *
 * @example
 * ```ts
 * const everywhere: ListenAddress = { hostname: "", port: 8080 };
 * ```
 */
export interface ListenAddress {
  readonly hostname: string;
  readonly port: number;
}

/**
 * How to log: `--log.level` and `--log.format`.
 *
 * @example
 * ```ts
 * const log: LogConfig = { level: "info", format: "logfmt" };
 * ```
 */
export interface LogConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

/**
 * What a command line asks for: run with a configuration, print help (the text is ready to print), or
 * print the version (the entry point knows the version line).
 *
 * @example
 * ```ts
 * const parsed: ParsedCommand<{ port: number }> = { kind: "help", text: "usage: ..." };
 * ```
 */
export type ParsedCommand<C> =
  | { readonly kind: "run"; readonly config: C }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" };
