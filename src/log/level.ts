/**
 * Log severities and line formats, named as upstream's `--log.level` and `--log.format` accept them, so
 * existing command lines and log pipelines keep working.
 * @module
 */

/** The severities, least severe first: a logger at level L drops records below L. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * One severity.
 *
 * @example
 * ```ts
 * const level: LogLevel = "info";
 * ```
 */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The line formats: logfmt (upstream's default) and one JSON object per line. */
export const LOG_FORMATS = ["logfmt", "json"] as const;

/**
 * One line format.
 *
 * @example
 * ```ts
 * const format: LogFormat = "json";
 * ```
 */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The rank of a severity, for comparisons: `levelRank("warn") > levelRank("info")`.
 *
 * @example
 * ```ts
 * levelRank("debug"); // 0
 * ```
 */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}
