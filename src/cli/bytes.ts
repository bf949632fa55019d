/**
 * Byte sizes for flags such as `--scrape.max-body-size=128MiB`: decimal units (KB = 1000) and binary
 * units (KiB = 1024), as Prometheus' own size flags spell them.
 * @module
 */

const MULTIPLIERS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)([a-z]*)$/i;
const EXPECTED = "expected a whole number of bytes or a size such as 512KB, 128MiB, 1GiB";

/**
 * Parses a byte size. Units are case-insensitive; a plain integer is bytes; fractions are allowed with a
 * unit (`1.5KiB` is 1536) and rounded to a whole byte.
 *
 * @throws {SyntaxError} when the text is empty, has an unknown unit or is not a size.
 * @throws {RangeError} when the size is larger than JavaScript can count exactly.
 * @example
 * ```ts
 * parseBytes("128MiB"); // 134217728
 * parseBytes("10KB");   // 10000
 * parseBytes("0");      // 0
 * ```
 */
export function parseBytes(text: string): number {
  const quoted = JSON.stringify(text);
  if (text === "") throw new SyntaxError(`Cannot parse size ${quoted}: value is empty; ${EXPECTED}`);
  const match = SIZE.exec(text);
  if (match === null) throw new SyntaxError(`Cannot parse size ${quoted}: ${EXPECTED}`);
  const [, number, unit] = match;
  const multiplier = MULTIPLIERS[unit.toLowerCase()];
  if (multiplier === undefined) {
    throw new SyntaxError(
      `Cannot parse size ${quoted}: unknown unit ${
        JSON.stringify(unit)
      }; units are B, KB, MB, GB, TB, KiB, MiB, GiB, TiB`,
    );
  }
  if (unit === "" && number.includes(".")) {
    throw new SyntaxError(
      `Cannot parse size ${quoted}: a size without a unit must be a whole number of bytes`,
    );
  }
  const bytes = Math.round(Number(number) * multiplier);
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`Cannot parse size ${quoted}: too large`);
  return bytes;
}
