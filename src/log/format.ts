/**
 * Turning one log record into one line of text, in logfmt or JSON. Kept apart from the logger so the
 * escaping rules, the part most likely to be wrong, can be tested on their own.
 * @module
 */
import type { LogFormat, LogLevel } from "./level.ts";

/** One log record before formatting. */
export interface LogRecord {
  /** RFC 3339 timestamp with milliseconds, UTC. */
  readonly ts: string;
  readonly level: LogLevel;
  readonly msg: string;
  /** Extra key/value pairs in the order they were given; `undefined` values are left out. */
  readonly fields: Readonly<Record<string, unknown>>;
}

// A cause chain is walked at most this deep, which also stops cycles (an error that is its own cause).
const MAX_CAUSE_DEPTH = 8;
const RESERVED_KEYS = new Set(["ts", "level", "msg"]);

/**
 * An error's message followed by the messages of its `cause` chain, joined by ": ", the way Go wraps
 * errors, so one log value tells the whole story.
 *
 * @example
 * ```ts
 * errorChain(new Error("push failed", { cause: new Error("connection refused") }));
 * // "push failed: connection refused"
 * ```
 */
export function errorChain(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.message === "" ? current.name : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}

/**
 * A field value as logfmt shows it before quoting: errors as their cause chain, dates in ISO form,
 * objects as JSON, everything else through `String()`.
 *
 * @example
 * ```ts
 * valueText(new Date(0)); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return errorChain(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (typeof value === "object" && value !== null) return jsonText(value);
  return String(value);
}

/**
 * Quotes a logfmt value when a reader could otherwise split it wrongly: when it is empty or holds a
 * space, `=`, a double quote, a backslash or a control character. Quoting uses JSON string escapes,
 * which logfmt readers (and Go's strconv.Unquote) understand.
 *
 * @example
 * ```ts
 * logfmtValue("Listening"); // "Listening"
 * logfmtValue('a "b"');    // "\"a \\\"b\\\"\""
 * ```
 */
export function logfmtValue(text: string): string {
  return /^[^\s="\\\p{Cc}]+$/u.test(text) ? text : JSON.stringify(text);
}

function logfmtKey(key: string): string {
  const cleaned = key.replace(/[^\w.:\-]/g, "_");
  return cleaned === "" ? "_" : cleaned;
}

// A field must not overwrite the record's own ts, level or msg; it is renamed rather than dropped.
function fieldKey(key: string): string {
  return RESERVED_KEYS.has(key) ? `field_${key}` : key;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return errorChain(value);
  return value;
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, jsonReplacer) ?? JSON.stringify(String(value));
  } catch {
    // Cycles: fall back to something printable rather than losing the whole line.
    return JSON.stringify(String(value));
  }
}

function definedEntries(fields: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(fields).filter(([, value]) => value !== undefined);
}

/**
 * A record as one logfmt line, without the trailing newline:
 * `ts=2026-11-25T22:00:00.123Z level=info msg=Listening address=:8080`.
 *
 * @example
 * ```ts
 * formatLogfmt({ ts: "2026-11-25T22:00:00.123Z", level: "info", msg: "Listening", fields: { address: ":8080" } });
 * ```
 */
export function formatLogfmt(record: LogRecord): string {
  let line = `ts=${record.ts} level=${record.level} msg=${logfmtValue(record.msg)}`;
  for (const [key, value] of definedEntries(record.fields)) {
    line += ` ${logfmtKey(fieldKey(key))}=${logfmtValue(valueText(value))}`;
  }
  return line;
}

/**
 * A record as one JSON object on one line, without the trailing newline: ts, level and msg first, then
 * the fields. Numbers and booleans stay JSON numbers and booleans; errors become their cause chain.
 *
 * @example
 * ```ts
 * formatJson({ ts: "2026-11-25T22:00:00.123Z", level: "warn", msg: "Slow", fields: { ms: 12 } });
 * // {"ts":"2026-11-25T22:00:00.123Z","level":"warn","msg":"Slow","ms":12}
 * ```
 */
export function formatJson(record: LogRecord): string {
  let line = `{"ts":${JSON.stringify(record.ts)},"level":"${record.level}","msg":${
    JSON.stringify(record.msg)
  }`;
  for (const [key, value] of definedEntries(record.fields)) {
    const text = value instanceof Date ? JSON.stringify(valueText(value)) : jsonText(value);
    line += `,${JSON.stringify(fieldKey(key))}:${text}`;
  }
  return `${line}}`;
}

/**
 * The formatter for a `--log.format` value.
 *
 * @example
 * ```ts
 * const format = formatterFor("json");
 * ```
 */
export function formatterFor(format: LogFormat): (record: LogRecord) => string {
  return format === "json" ? formatJson : formatLogfmt;
}
