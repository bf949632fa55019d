/** Picks the adapter for the runtime we are running on. Only entry points call this. */
import type { Runtime } from "./types.ts";
import { denoRuntime } from "./deno/adapter.ts";
import { bunRuntime } from "./bun/adapter.ts";

export function detectRuntime(): Runtime {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Bun !== undefined) return bunRuntime();
  if (global.Deno !== undefined) return denoRuntime();
  throw new Error("PushProx runs on Deno or Bun; this runtime is neither");
}
