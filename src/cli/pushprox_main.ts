/**
 * `pushprox`: runs the program a {@linkcode Dispatch} names with the remaining arguments, or answers
 * help, version and usage errors itself. Returns the process exit code; only the entry point exits.
 */
import type { Runtime } from "../runtime/types.ts";
import { versionLine } from "../build_info.ts";
import { VERSION } from "../version.ts";
import { type Dispatch, DISPATCH_HELP } from "./dispatch.ts";

/**
 * Runs what `chosen` asks for on `runtime`.
 *
 * @example
 * ```ts
 * runtime.exit(await pushproxMain(runtime, dispatch(process.argv0, runtime.args)));
 * ```
 */
export async function pushproxMain(runtime: Runtime, chosen: Dispatch): Promise<number> {
  switch (chosen.kind) {
    case "run": {
      const scoped: Runtime = { ...runtime, args: chosen.args };
      // Each program loads only its own code: a start evaluates one program's modules, not both.
      if (chosen.program === "proxy") return (await import("./proxy_main.ts")).proxyMain(scoped);
      return (await import("./client_main.ts")).clientMain(scoped);
    }
    case "help":
      runtime.writeStdout(DISPATCH_HELP);
      return 0;
    case "version":
      runtime.writeStdout(`${versionLine("pushprox", VERSION, runtime.name, runtime.version)}\n`);
      return 0;
    case "usage":
      runtime.writeStderr(`pushprox: ${chosen.message} (see pushprox --help)\n`);
      return 2;
  }
}
