/** Entry point of the `proxy` program when run from source (`deno run`, `bun`). */
import { detectRuntime } from "./runtime/detect.ts";
import { proxyMain } from "./cli/proxy_main.ts";

const runtime = detectRuntime();
runtime.exit(await proxyMain(runtime));
