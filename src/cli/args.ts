/**
 * Kingpin-style command lines (`--name=value` or `--name value`, dotted names, `--flag` / `--no-flag`,
 * `-h`, `--help`, `--version`) described by flag specs, which also generate the help text.
 *
 * The only module that touches `parseArgs` from `node:util`: it is used as a tokenizer (non-strict, with
 * tokens), and every rule and message is ours, because its own errors differ between runtimes and do not
 * read as one line naming the flag. Swapping in `@std/cli` would touch this file only.
 * @module
 */
import { parseArgs } from "node:util";
import type { ParsedCommand } from "./config_types.ts";

/**
 * A command-line mistake: unknown flag, missing or invalid value, stray argument. Its message is a single
 * line naming the flag, for the entry point to print before exiting with status 2.
 *
 * @example
 * ```ts
 * throw new UsageError("unknown flag --foo");
 * ```
 */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** The kind of value a flag takes; it picks the help placeholder and whether the flag takes a value. */
export type FlagKind =
  | "string"
  | "boolean"
  | "duration"
  | "bytes"
  | "count"
  | "url"
  | "address"
  | "hostname"
  | "enum"
  | "file";

/** One flag, as declared by a command. */
export interface FlagSpec {
  /** The long name without dashes, e.g. `web.listen-address`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** One sentence for the help text. */
  readonly help: string;
  /** The value used when the flag is absent, exactly as shown in help (`5m`, `:8080`, `false`). */
  readonly default?: string;
  /** What help shows as the default when there is no literal one, e.g. "the host's FQDN". */
  readonly defaultHelp?: string;
  /** Shown after `=` in help, e.g. `ADDRESS`; derived from the kind when absent. */
  readonly placeholder?: string;
  readonly required?: boolean;
  /** The flag may be given more than once; its value is then a list. */
  readonly multiple?: boolean;
  /** A one-letter alias, e.g. `v` for `-v`. */
  readonly short?: string;
}

/** A program and its flags. */
export interface CommandSpec {
  /** Program name for the usage line, e.g. `pushprox-proxy`. */
  readonly name: string;
  /** One paragraph saying what the program does. */
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
}

/** Raw flag values by flag name: text as given, booleans, or lists for repeated flags. */
export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

const PLACEHOLDERS: Readonly<Record<FlagKind, string>> = {
  string: "VALUE",
  boolean: "",
  duration: "DURATION",
  bytes: "SIZE",
  count: "N",
  url: "URL",
  address: "ADDRESS",
  hostname: "HOST",
  enum: "VALUE",
  file: "FILE",
};

const HELP_FLAG: FlagSpec = { name: "help", kind: "boolean", short: "h", help: "Show this help and exit." };
const VERSION_FLAG: FlagSpec = { name: "version", kind: "boolean", help: "Show the version and exit." };

/**
 * Reads a command line against a command's flags. `-h`/`--help` anywhere wins, then `--version`;
 * otherwise every flag is checked and defaults filled in (values stay text; the caller validates them).
 *
 * @throws {UsageError} for an unknown flag, a missing value, a repeated single flag, a stray argument or a
 * missing required flag, with a one-line message naming it.
 * @example
 * ```ts
 * const parsed = parseCommandLine(command, ["--web.listen-address", ":9090"]);
 * if (parsed.kind === "run") console.log(parsed.config["web.listen-address"]); // ":9090"
 * ```
 */
export function parseCommandLine(command: CommandSpec, argv: readonly string[]): ParsedCommand<FlagValues> {
  const specs = new Map<string, FlagSpec>(command.flags.map((spec) => [spec.name, spec]));
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const spec of [HELP_FLAG, VERSION_FLAG, ...command.flags]) {
    const type = spec.kind === "boolean" ? "boolean" : "string";
    options[spec.name] = spec.short === undefined ? { type } : { type, short: spec.short };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    tokens: true,
    allowPositionals: true,
  });

  const asked = tokens.find((token) =>
    token.kind === "option" && (token.name === "help" || token.name === "version")
  );
  if (asked?.kind === "option") {
    return asked.name === "help" ? { kind: "help", text: formatHelp(command) } : { kind: "version" };
  }

  const values: Record<string, string | boolean | string[]> = {};
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      throw new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    }

    const negated = token.name.startsWith("no-") ? specs.get(token.name.slice(3)) : undefined;
    const spec = specs.get(token.name) ?? (negated?.kind === "boolean" ? negated : undefined);
    if (spec === undefined) throw new UsageError(`unknown flag ${token.rawName}`);
    const flag = `--${spec.name}`;
    if (values[spec.name] !== undefined && !spec.multiple) {
      throw new UsageError(`flag ${flag} cannot be repeated`);
    }

    if (spec.kind === "boolean") {
      values[spec.name] = booleanValue(token.rawName, token.value, spec !== negated);
    } else {
      // A separate value that looks like another flag means this one's value was forgotten.
      const looksLikeFlag = !token.inlineValue && /^-[^\d]/.test(token.value ?? "");
      if (token.value === undefined || looksLikeFlag) throw new UsageError(`flag ${flag} needs a value`);
      const previous = values[spec.name];
      values[spec.name] = spec.multiple
        ? [...(Array.isArray(previous) ? previous : []), token.value]
        : token.value;
    }
  }

  for (const spec of command.flags) {
    if (values[spec.name] !== undefined) continue;
    if (spec.required) throw new UsageError(`required flag --${spec.name} not provided`);
    if (spec.default === undefined) continue;
    if (spec.kind === "boolean") values[spec.name] = spec.default === "true";
    else values[spec.name] = spec.multiple ? [spec.default] : spec.default;
  }
  return { kind: "run", config: values };
}

function booleanValue(rawName: string, inline: string | undefined, positive: boolean): boolean {
  if (inline === undefined) return positive;
  if (!positive) throw new UsageError(`flag ${rawName} does not take a value`);
  if (inline === "true" || inline === "false") return inline === "true";
  throw new UsageError(`invalid value ${JSON.stringify(inline)} for flag ${rawName}: expected true or false`);
}

function flagColumn(spec: FlagSpec): string {
  const short = spec.short ? `-${spec.short}, ` : "    ";
  if (spec.kind === "boolean") {
    return `${short}--${spec.name === "help" || spec.name === "version" ? "" : "[no-]"}${spec.name}`;
  }
  return `${short}--${spec.name}=${spec.placeholder ?? PLACEHOLDERS[spec.kind]}`;
}

function describe(spec: FlagSpec): string {
  const notes: string[] = [];
  if (spec.required) notes.push("required");
  if (spec.multiple) notes.push("repeatable");
  if (spec.default !== undefined) notes.push(`default: ${spec.default === "" ? '""' : spec.default}`);
  else if (spec.defaultHelp !== undefined) notes.push(`default: ${spec.defaultHelp}`);
  return notes.length === 0 ? spec.help : `${spec.help} (${notes.join("; ")})`;
}

/**
 * The help text: usage line, summary, then one line per flag with its default. Ends with a newline.
 *
 * @example
 * ```ts
 * console.log(formatHelp({ name: "demo", summary: "Does things.", flags: [] }));
 * ```
 */
export function formatHelp(command: CommandSpec): string {
  const all = [HELP_FLAG, VERSION_FLAG, ...command.flags];
  const columns = all.map(flagColumn);
  const width = Math.max(...columns.map((column) => column.length)) + 2;
  const lines = all.map((spec, i) => `  ${columns[i].padEnd(width)}${describe(spec)}`);
  return [`usage: ${command.name} [<flags>]`, "", command.summary, "", "Flags:", ...lines, ""].join("\n");
}
