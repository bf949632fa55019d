/**
 * A small structured logger: leveled, logfmt or JSON, one line per record, written through an injected
 * function so tests capture lines and entry points choose stderr.
 * @module
 */
import { formatterFor } from "./format.ts";
import { levelRank, type LogFormat, type LogLevel } from "./level.ts";

/** Key/value pairs attached to a record. Keys the codebase uses: `scrape_id`, `fqdn`, `url`, `err`. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A leveled, structured logger. */
export interface Logger {
  /** Detail for debugging a single exchange; off unless `--log.level=debug`. */
  debug(msg: string, fields?: LogFields): void;
  /** Normal operation worth a line: started, listening, client registered. */
  info(msg: string, fields?: LogFields): void;
  /** Something failed but the program carries on: a scrape or push error. */
  warn(msg: string, fields?: LogFields): void;
  /** The program cannot do its job: cannot listen, bad TLS material. */
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (the record's own fields win on a clash). */
  child(fields: LogFields): Logger;
}

/** How to build a logger. */
export interface LoggerOptions {
  /** Records below this level are dropped before any formatting happens. */
  readonly level: LogLevel;
  readonly format: LogFormat;
  /**
   * Receives each record as one line WITHOUT a trailing newline; the caller adds it
   * (e.g. `write: (line) => runtime.writeStderr(line + "\n")`), so tests can compare lines directly.
   */
  readonly write: (line: string) => void;
  /** The clock for timestamps; defaults to the wall clock. */
  readonly now?: () => Date;
}

const noop = (): void => {};

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", format: "logfmt", write: (line) => lines.push(line) });
 * log.info("Listening", { address: ":8080" });
 * // ts=2026-11-25T22:00:00.123Z level=info msg=Listening address=:8080
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = formatterFor(options.format);
  const now = options.now ?? (() => new Date());
  const threshold = levelRank(options.level);
  const { write } = options;

  const build = (bound: LogFields): Logger => {
    const method = (level: LogLevel) => {
      // Disabled levels get a function that does nothing, so a debug call costs one call and no work.
      if (levelRank(level) < threshold) return noop;
      return (msg: string, fields?: LogFields): void => {
        const merged = fields === undefined ? bound : { ...bound, ...fields };
        write(format({ ts: now().toISOString(), level, msg, fields: merged }));
      };
    };
    return {
      debug: method("debug"),
      info: method("info"),
      warn: method("warn"),
      error: method("error"),
      child: (fields: LogFields) => build({ ...bound, ...fields }),
    };
  };
  return build({});
}

/**
 * A logger that drops everything, for tests and for code paths that are handed no logger.
 *
 * @example
 * ```ts
 * const log = silentLogger();
 * log.error("ignored");
 * ```
 */
export function silentLogger(): Logger {
  const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return logger;
}
