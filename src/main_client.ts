/** Entry point of the `client` program when run from source (`deno run`, `bun`). */
import { detectRuntime } from "./runtime/detect.ts";
import { clientMain } from "./cli/client_main.ts";
import { reexecWithClientTuning } from "./runtime/bun/tuning.ts";

// Once, before anything else: see runtime/bun/tuning.ts for why and what it costs.
reexecWithClientTuning();
const runtime = detectRuntime();
runtime.exit(await clientMain(runtime));
