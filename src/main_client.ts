/** Entry point of the `client` program (sources and compiled binaries alike). */
import process from "node:process";
import { detectRuntime } from "./runtime/detect.ts";
import { clientMain } from "./cli/client_main.ts";
import { tuningExec } from "./runtime/bun_tuning.ts";

declare const Bun: { readonly main: string } | undefined;

// Not on Windows, where there is no execve to keep the process (and its PID) while swapping the image.
if (typeof Bun !== "undefined" && process.platform !== "win32") {
  // Once, before anything else: see bun_tuning.ts for why and what it costs.
  const exec = tuningExec({
    env: process.env,
    argv: process.argv,
    execArgv: process.execArgv,
    execPath: process.execPath,
    compiled: Bun.main.startsWith("/$bunfs/"),
  });
  // execve does not return when it works; when it fails the client simply runs with Bun's defaults.
  if (exec !== null) {
    try {
      (process as unknown as { execve(file: string, args: string[], env: Record<string, string>): never })
        .execve(exec.file, [...exec.args], exec.env);
    } catch {
      // e.g. the binary was replaced on disk while running; nothing is lost but the tuning.
    }
  }
}

const runtime = detectRuntime();
runtime.exit(await clientMain(runtime));
