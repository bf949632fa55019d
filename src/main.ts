/**
 * Entry point of the `pushprox` executable that the release ships: `pushprox proxy|client [flags]`, or
 * `proxy`/`client` through the archive's hard links (see cli/dispatch.ts).
 */
import process from "node:process";
import { detectRuntime } from "./runtime/detect.ts";
import { dispatch } from "./cli/dispatch.ts";
import { pushproxMain } from "./cli/pushprox_main.ts";
import { reexecWithClientTuning } from "./runtime/bun/tuning.ts";

const runtime = detectRuntime();
// argv[0] as the user's shell passed it: the name of the hard link they ran, if any.
const chosen = dispatch(process.argv0, runtime.args);
// Before the client does anything, and only for it: see runtime/bun/tuning.ts for why and what it costs.
if (chosen.kind === "run" && chosen.program === "client") reexecWithClientTuning();
runtime.exit(await pushproxMain(runtime, chosen));
