/** Entry point of the `client` program (sources and compiled binaries alike). */
import { detectRuntime } from "./runtime/detect.ts";
import { clientMain } from "./cli/client_main.ts";

const runtime = detectRuntime();
runtime.exit(await clientMain(runtime));
