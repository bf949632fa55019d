/**
 * Debian's Chromium, headless, driven by playwright-core (which brings no browser of its own: nothing is
 * downloaded). Each launch gets a fresh profile in a temp directory; the harness closes the browser.
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";
import type { ProcessSet } from "./process.ts";
import { requireDebianBinary, tempDir } from "./prometheus.ts";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_BIN = "/usr/bin/chromium";

/** Flags for a quiet, self-contained headless run in a container (no sandbox: tests run as root). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts headless Chromium with a fresh profile; `procs.cleanup()` closes it.
 *
 * @example
 * ```ts
 * const browser = await launchChromium(h.procs);
 * const page = await browser.newPage();
 * await page.goto(proxy.url);
 * ```
 */
export async function launchChromium(procs: ProcessSet): Promise<BrowserContext> {
  requireDebianBinary(CHROMIUM_BIN, "chromium");
  const profile = await tempDir(procs, "chromium");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  procs.defer(() => context.close());
  return context;
}
