/**
 * Section 5: time from spawn to the first accepted TCP connection (polled every 1 ms) and RSS shortly
 * after, for the proxy and the client (the client counts as started when its metrics port listens), plus
 * the time `proxy --help` takes and the binaries' sizes.
 * @module
 */
import { statSync } from "node:fs";
import { acceptsConnections, freePort } from "../../test/support/ports.ts";
import { sleep } from "../../test/support/wait.ts";
import type { Child, ChildSet } from "./children.ts";
import { type Lab, startProxy } from "./lab.ts";
import { rssBytes } from "./proc_stat.ts";
import { summarize, type Summary } from "./stats.ts";
import { roundSummary } from "./latency.ts";

/** Startup of one program. */
export interface StartupFigures {
  readonly runs: number;
  readonly listenMs: Summary;
  /** RSS 300 ms after it first listened, bytes (median over runs). */
  readonly rssBytes: number;
}

/** The section's result. */
export interface StartupResult {
  readonly proxy: StartupFigures;
  readonly client: StartupFigures;
  readonly proxyHelpMs: Summary;
  readonly binaryBytes: { readonly proxy: number; readonly client: number };
}

const RSS_DELAY_MS = 300;

/** Spawns, polls the port every millisecond, returns ms until it listened and the RSS a little later. */
async function timeToListen(
  spawn: (port: number) => Child,
  timeoutMs = 10_000,
): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(port);
  try {
    while (!(await acceptsConnections(port))) {
      if (!child.running) throw new Error(`${child.name} exited before listening:\n${child.describe()}`);
      if (performance.now() - started > timeoutMs) {
        throw new Error(`${child.name} did not listen within ${timeoutMs} ms`);
      }
      await sleep(1);
    }
    const ms = performance.now() - started;
    await sleep(RSS_DELAY_MS);
    return { ms, rss: rssBytes(child.pid) };
  } finally {
    await child.stop();
  }
}

function figures(samples: Array<{ ms: number; rss: number }>): StartupFigures {
  const rss = samples.map((s) => s.rss).sort((a, b) => a - b);
  return {
    runs: samples.length,
    listenMs: roundSummary(summarize(samples.map((s) => s.ms))),
    rssBytes: rss[Math.floor(rss.length / 2)]!,
  };
}

/** Runs the section, 20 runs per figure (3 when quick). */
export async function startupSection(lab: Lab, children: ChildSet): Promise<StartupResult> {
  const runs = lab.quick ? 3 : 20;
  const { impl } = lab;
  return await children.scope(async (scoped) => {
    lab.log(`startup: ${runs} runs each`);
    const proxySamples = [];
    for (let i = 0; i < runs; i++) {
      proxySamples.push(
        await timeToListen((port) =>
          scoped.spawn({
            name: "proxy (startup)",
            command: impl.proxyBin,
            args: [`--web.listen-address=127.0.0.1:${port}`],
          })
        ),
      );
    }
    const proxy = await startProxy(scoped, impl);
    const clientSamples = [];
    for (let i = 0; i < runs; i++) {
      clientSamples.push(
        await timeToListen((port) =>
          scoped.spawn({
            name: "client (startup)",
            command: impl.clientBin,
            args: [
              `--proxy-url=http://127.0.0.1:${proxy.port}/`,
              `--fqdn=startup${i}.bench`,
              `--metrics-addr=127.0.0.1:${port}`,
            ],
          })
        ),
      );
    }
    const helpMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const child = scoped.spawn({ name: "proxy --help", command: impl.proxyBin, args: ["--help"] });
      const exit = await child.exited;
      if (exit.code !== 0) throw new Error(`proxy --help exited with ${exit.code}:\n${child.describe()}`);
      helpMs.push(performance.now() - started);
    }
    return {
      proxy: figures(proxySamples),
      client: figures(clientSamples),
      proxyHelpMs: roundSummary(summarize(helpMs)),
      binaryBytes: { proxy: statSync(impl.proxyBin).size, client: statSync(impl.clientBin).size },
    };
  });
}
