/**
 * `--log.level` and `--log.format`, shared by the proxy and the client with upstream's defaults.
 * @module
 */
import type { FlagSpec } from "./args.ts";
import type { LogConfig } from "./config_types.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../log/level.ts";

/**
 * The two logging flags, to append to a command's flag list.
 *
 * @example
 * ```ts
 * const flags = [...myFlags, ...LOG_FLAGS];
 * ```
 */
export const LOG_FLAGS: readonly FlagSpec[] = [
  {
    name: "log.level",
    kind: "enum",
    default: "info",
    placeholder: LOG_LEVELS.join("|"),
    help: "Log only messages of this severity or above.",
  },
  {
    name: "log.format",
    kind: "enum",
    default: "logfmt",
    placeholder: LOG_FORMATS.join("|"),
    help: "Log line format.",
  },
];

/**
 * Picks the validated logging flags out of a flag object.
 *
 * @example
 * ```ts
 * toLogConfig({ "log.level": "warn", "log.format": "json" }); // { level: "warn", format: "json" }
 * ```
 */
export function toLogConfig(
  flags: { readonly "log.level": LogLevel; readonly "log.format": LogFormat },
): LogConfig {
  return { level: flags["log.level"], format: flags["log.format"] };
}
