/**
 * The client's scrape-rule flags (`--allow-port`, `--allow-method`, `--use-localhost`): their specs, their
 * valibot schemas and the `ScrapeRules` they make. Kept apart from client_flags.ts, which only lists them.
 * @module
 */
import * as v from "valibot";
import type { FlagSpec } from "./args.ts";
import { textFlag } from "./flag_values.ts";
import { isToken } from "../wire/http_syntax.ts";
import { DEFAULT_SCRAPE_RULES, type ScrapeRules } from "../client/scrape_rules.ts";

/** `--allow-method=*`: relay any method, as upstream does. */
const ANY_METHOD = "*";

/** The flags, for the client's command spec. */
export const SCRAPE_RULE_FLAGS: readonly FlagSpec[] = [
  {
    name: "allow-port",
    kind: "string",
    placeholder: "PORT",
    multiple: true,
    defaultHelp: "any port",
    help: "Only scrape targets on this port; repeat to allow several.",
  },
  {
    name: "allow-method",
    kind: "string",
    placeholder: "METHOD",
    multiple: true,
    defaultHelp: "GET and HEAD",
    help: `Only relay scrapes with this HTTP method; repeat to allow several, "${ANY_METHOD}" allows any.`,
  },
  {
    name: "use-localhost",
    kind: "boolean",
    default: "false",
    help: "Scrape targets through 127.0.0.1 instead of resolving --fqdn (Host still names the FQDN).",
  },
];

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new RangeError(`Cannot parse port "${text}"`);
  return port;
}

function parseMethod(text: string): string {
  if (text !== ANY_METHOD && !isToken(text)) throw new SyntaxError(`Cannot parse method "${text}"`);
  // Methods are compared upper-case: `--allow-method=get` means GET, which is what fetch sends for "get".
  return text.toUpperCase();
}

/** Schema entries for the flags, to spread into the client's `v.object`. */
export const SCRAPE_RULE_SCHEMA_ENTRIES = {
  "allow-port": v.optional(v.array(textFlag(parsePort, "expected a port number from 1 to 65535"))),
  "allow-method": v.optional(
    v.array(textFlag(parseMethod, `expected an HTTP method such as GET or POST, or "${ANY_METHOD}" for any`)),
  ),
  "use-localhost": v.boolean(),
};

/**
 * The rules the validated flags ask for; an absent flag keeps its default.
 *
 * @example
 * ```ts
 * toScrapeRules({ "allow-port": [9100], "allow-method": undefined, "use-localhost": false });
 * // { allowedPorts: Set {9100}, allowedMethods: Set {"GET", "HEAD"}, useLocalhost: false }
 * ```
 */
export function toScrapeRules(flags: {
  readonly "allow-port"?: readonly number[];
  readonly "allow-method"?: readonly string[];
  readonly "use-localhost": boolean;
}): ScrapeRules {
  const ports = flags["allow-port"];
  const methods = flags["allow-method"];
  return {
    allowedPorts: ports === undefined ? DEFAULT_SCRAPE_RULES.allowedPorts : new Set(ports),
    allowedMethods: methods === undefined
      ? DEFAULT_SCRAPE_RULES.allowedMethods
      : methods.includes(ANY_METHOD)
      ? null
      : new Set(methods),
    useLocalhost: flags["use-localhost"],
  };
}
