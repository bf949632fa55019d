/**
 * `pushprox`: runs the program a {@linkcode Dispatch} names with the remaining arguments, or answers
 * help, version and usage errors itself. Returns the process exit code; only the entry point exits.
 */
import type { Runtime } from "../runtime/types.ts";
import { versionLine } from "../build_info.ts";
import { VERSION } from "../version.ts";
import { clientMain } from "./client_main.ts";
import { type Dispatch, DISPATCH_HELP } from "./dispatch.ts";
import { proxyMain } from "./proxy_main.ts";

/**
 * Runs what `chosen` asks for on `runtime`.
 *
 * @example
 * ```ts
 * runtime.exit(await pushproxMain(runtime, dispatch(process.argv0, runtime.args)));
 * ```
 */
export function pushproxMain(runtime: Runtime, chosen: Dispatch): Promise<number> {
  switch (chosen.kind) {
    case "run": {
      const scoped: Runtime = { ...runtime, args: chosen.args };
      return chosen.program === "proxy" ? proxyMain(scoped) : clientMain(scoped);
    }
    case "help":
      runtime.writeStdout(DISPATCH_HELP);
      return Promise.resolve(0);
    case "version":
      runtime.writeStdout(`${versionLine("pushprox", VERSION, runtime.name, runtime.version)}\n`);
      return Promise.resolve(0);
    case "usage":
      runtime.writeStderr(`pushprox: ${chosen.message} (see pushprox --help)\n`);
      return Promise.resolve(2);
  }
}
