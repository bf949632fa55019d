/**
 * Durations in the syntax of Go's `time.ParseDuration`, which upstream's flags (through kingpin) accept,
 * so every existing command line keeps working: `300ms`, `1.5s`, `5m`, `1h30m`, `10us`, a bare `0`.
 * Values are milliseconds (fractions allowed), the unit JavaScript timers take.
 * @module
 */

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3, // micro sign, as Go accepts
  "\u03bcs": 1e3, // Greek mu, as Go accepts
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go rejects durations that overflow an int64 of nanoseconds (about 292 years); so do we.
const MAX_NANOS = 2 ** 63 - 1;
const EXPECTED = "expected a number followed by a unit such as 15s, 5m, 1h30m";
const TERM = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a Go-style duration into milliseconds.
 *
 * @throws {SyntaxError} when the text is empty, lacks a unit, has an unknown unit or is not a duration.
 * @throws {RangeError} when the duration is negative or too large.
 * @example
 * ```ts
 * parseDuration("1h30m"); // 5_400_000
 * parseDuration("1.5s");  // 1500
 * parseDuration("10us");  // 0.01
 * ```
 */
export function parseDuration(text: string): number {
  const fail = (reason: string) =>
    new SyntaxError(`Cannot parse duration ${JSON.stringify(text)}: ${reason}`);
  if (text === "") throw fail(`value is empty; ${EXPECTED}`);
  let rest = text;
  if (rest.startsWith("-")) {
    throw new RangeError(`Cannot parse duration ${JSON.stringify(text)}: durations cannot be negative`);
  }
  if (rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "0") return 0;
  if (rest === "") throw fail(EXPECTED);

  let nanos = 0;
  while (rest !== "") {
    const match = TERM.exec(rest);
    const [whole, integer, fraction, unit] = match ?? ["", "", undefined, ""];
    if (integer === "" && (fraction === undefined || fraction === "")) throw fail(EXPECTED);
    if (unit === "") throw fail(`missing unit after ${JSON.stringify(whole)}; ${EXPECTED}`);
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined) {
      throw fail(`unknown unit ${JSON.stringify(unit)}; units are ns, us, ms, s, m, h`);
    }
    nanos += Number(integer || "0") * perUnit;
    if (fraction) nanos += (Number(fraction) * perUnit) / 10 ** fraction.length;
    rest = rest.slice(whole.length);
  }
  if (!(nanos <= MAX_NANOS)) {
    throw new RangeError(`Cannot parse duration ${JSON.stringify(text)}: longer than about 292 years`);
  }
  return nanos / 1e6;
}

// Enough digits for nanosecond precision, without binary floating-point noise like 0.30000000000000004.
function trimNumber(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/**
 * Formats milliseconds compactly in the same syntax, so the output parses back with `parseDuration`:
 * `0s`, `10us`, `300ms`, `1.5s`, `5m`, `1h30m`, `1m30.5s`. Zero parts are left out (Go would write
 * `5m0s`; both parse to the same value).
 *
 * @throws {RangeError} when `ms` is negative or not finite.
 * @example
 * ```ts
 * formatDuration(300_000);   // "5m"
 * formatDuration(5_400_000); // "1h30m"
 * formatDuration(1500);      // "1.5s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(
      `Cannot format duration ${ms}: expected a finite number of milliseconds, zero or more`,
    );
  }
  if (ms === 0) return "0s";
  if (ms < 1) return `${trimNumber(ms * 1000, 3)}us`;
  if (ms < 1000) return `${trimNumber(ms, 6)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let text = "";
  if (hours > 0) text += `${hours}h`;
  if (minutes > 0) text += `${minutes}m`;
  if (seconds > 0) text += `${trimNumber(seconds, 9)}s`;
  return text;
}
