/** Entry point of the `proxy` program (sources and compiled binaries alike). */
import { detectRuntime } from "./runtime/detect.ts";
import { proxyMain } from "./cli/proxy_main.ts";

const runtime = detectRuntime();
runtime.exit(await proxyMain(runtime));
