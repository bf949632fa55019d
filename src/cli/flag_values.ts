/**
 * Valibot schemas that turn raw flag text into typed values, and the one place where a failed
 * validation becomes a one-line `UsageError` naming the flag.
 *
 * Configurations are validated as objects keyed by flag name, so an issue's path *is* the flag: the
 * message can say `invalid value "banana" for flag --scrape.max-timeout: expected ...` without a lookup.
 * @module
 */
import * as v from "valibot";
import { UsageError } from "./args.ts";
import { parseBytes } from "./bytes.ts";
import type { ListenAddress } from "./config_types.ts";
import { parseDuration } from "./duration.ts";
import { isHostname } from "./hostname.ts";
import { parseListenAddress } from "./listen_address.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../log/level.ts";

/**
 * A schema for flag text converted by `parse`; when `parse` throws, the issue message is `expected`.
 *
 * @example
 * ```ts
 * const port = textFlag((text) => Number.parseInt(text, 10), "expected a port number");
 * ```
 */
export function textFlag<T>(parse: (text: string) => T, expected: string) {
  return v.pipe(
    v.string(),
    v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
      try {
        return parse(dataset.value);
      } catch {
        addIssue({ message: expected });
        return NEVER;
      }
    }),
  );
}

const DURATION_EXAMPLES = "a duration such as 15s, 5m, 1h30m";

/** A duration flag, in milliseconds. @example `durationFlag()` */
export function durationFlag() {
  return textFlag(parseDuration, `expected ${DURATION_EXAMPLES}`);
}

/** A duration flag that must be above zero (a zero timeout or back-off would make no sense). @example `positiveDurationFlag()` */
export function positiveDurationFlag() {
  return v.pipe(durationFlag(), v.check((ms) => ms > 0, `expected ${DURATION_EXAMPLES}, above zero`));
}

/** A byte-size flag (`128MiB`), in bytes. @example `bytesFlag()` */
export function bytesFlag() {
  return textFlag(parseBytes, "expected a size such as 512KB, 128MiB or 1GiB, or 0 for no limit");
}

/** A whole number of things, 0 or more (`100000`). @example `countFlag()` */
export function countFlag() {
  return textFlag((text) => {
    if (!/^\d{1,15}$/.test(text)) throw new RangeError(`Cannot parse "${text}" as a count`);
    return Number(text);
  }, "expected a whole number such as 100000, or 0 for no limit");
}

/** A `host:port` flag. @example `listenAddressFlag()` */
export function listenAddressFlag() {
  return textFlag(parseListenAddress, "expected host:port such as :8080, 127.0.0.1:9369 or [::1]:8080");
}

/** Like `listenAddressFlag`, but an empty value turns the listener off (null). @example `optionalListenAddressFlag()` */
export function optionalListenAddressFlag() {
  return textFlag<ListenAddress | null>(
    (text) => (text === "" ? null : parseListenAddress(text)),
    'expected host:port such as :9369 or 127.0.0.1:9369, or "" to turn it off',
  );
}

/** A host name or IP address flag (`--fqdn`). @example `hostnameFlag()` */
export function hostnameFlag() {
  return textFlag(
    (text) => {
      if (!isHostname(text)) throw new SyntaxError("not a host name");
      return text;
    },
    "expected a host name made of letters, digits, '-', '_' and dots (at most 253 characters), or an IP address",
  );
}

/** `--log.level`. @example `logLevelFlag()` */
export function logLevelFlag() {
  return v.picklist(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(", ")}`);
}

/** `--log.format`. @example `logFormatFlag()` */
export function logFormatFlag() {
  return v.picklist(LOG_FORMATS, `expected one of ${LOG_FORMATS.join(", ")}`);
}

/** An optional file path; absent or empty means none. @example `optionalFileFlag()` */
export function optionalFileFlag() {
  // The default runs through the pipe too, so an absent flag and `--flag=` both come out as null.
  return v.optional(v.pipe(v.string(), v.transform((text) => (text === "" ? null : text))), "");
}

/**
 * Validates raw flag values with `schema` and returns its output, or throws a `UsageError` for the
 * first problem. Issues on a flag read `invalid value "<text>" for flag --<name>: <message>`; issues on
 * the whole configuration (two flags that disagree) carry their own full message.
 *
 * @throws {UsageError}
 * @example
 * ```ts
 * const config = validateFlags(v.object({ "log.level": logLevelFlag() }), { "log.level": "info" });
 * ```
 */
export function validateFlags<S extends v.GenericSchema>(schema: S, values: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, values, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.[0]?.key;
  if (typeof key !== "string") throw new UsageError(issue.message);
  // The innermost value: for a repeated flag, the one bad item rather than the whole list.
  const given = issue.path?.at(-1)?.value;
  throw new UsageError(
    `invalid value ${JSON.stringify(shownValue(String(given)))} for flag --${key}: ${issue.message}`,
  );
}

/** Flag text as an error may repeat it: a URL's user name and password never appear, the rest as typed. */
function shownValue(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.username === "" && url.password === "") return text;
  url.username = "";
  url.password = "";
  return url.href;
}
