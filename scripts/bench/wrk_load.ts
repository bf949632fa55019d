/**
 * wrk as the throughput section's load generator: the tool upstream's reference figure was measured with
 * (50 connections), and a cheaper one than our TypeScript generator (which then spends its own CPU on the
 * same two cores as the proxy and the clients). A Lua script sends absolute-form scrapes through the proxy,
 * each with the Host and timeout headers Prometheus sends, rotating over the targets, and prints one JSON
 * line when wrk is done: counts, latency percentiles and wrk's own CPU time.
 * @module
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import type { ChildSet } from "./children.ts";
import { CLOCK_TICKS_PER_SECOND } from "./proc_stat.ts";
import type { Summary } from "./stats.ts";

/** What {@link runWrk} measured. */
export interface WrkRun {
  readonly seconds: number;
  /** Answered with 2xx and at least the expected size on average. */
  readonly ok: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly latencyMs: Summary;
  /** User plus system CPU of wrk itself, read from /proc when it finished. */
  readonly cpuMs: number;
}

/**
 * The wrk executable on PATH, or null.
 *
 * @example
 * ```ts
 * const wrk = findWrk(); // "/usr/bin/wrk" once Debian's wrk is installed
 * ```
 */
export function findWrk(path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "wrk");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * wrk gives each of its two threads its own Lua state; the second starts its rotation half-way round, so
 * the two do not send their first requests to the same clients.
 */
const SCRIPT = String.raw`
local requests = {}
local proxy_auth = PROXY_AUTHORIZATION
local next_index = 0
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for i, url in ipairs(args) do
    local host = url:match("^http://([^/]+)")
    requests[i] = wrk.format("GET", url, {
      ["Host"] = host,
      ["Accept"] = "text/plain;version=0.0.4",
      ["X-Prometheus-Scrape-Timeout-Seconds"] = "10",
      ["Proxy-Authorization"] = proxy_auth,
    })
  end
  next_index = math.floor(thread_index * #requests / 2)
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, requests)
  local stat = io.open("/proc/self/stat"):read("*a")
  local fields = {}
  -- Fields after the command name, which ends at the last ")"; utime and stime are the 12th and 13th.
  for field in stat:match("^.*%) (.*)$"):gmatch("%S+") do fields[#fields + 1] = field end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"min":%d,"max":%d,"ticks":%d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.min, latency.max,
    tonumber(fields[12]) + tonumber(fields[13])))
end
`;

/** What wrk's `done` prints. */
interface WrkSummary {
  readonly requests: number;
  readonly bytes: number;
  readonly durationUs: number;
  readonly connect: number;
  readonly read: number;
  readonly write: number;
  readonly status: number;
  readonly timeout: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly ticks: number;
}

/** What one wrk run needs. */
export interface WrkOptions {
  readonly wrk: string;
  readonly proxyPort: number;
  /** Absolute scrape URLs, sent through the proxy in turn. */
  readonly urls: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  /** Body size every scrape must return; a smaller average response means some failed. */
  readonly expectBytes: number;
  /** A proxy with a web config file: wrk speaks TLS to it and sends this `Proxy-Authorization`. */
  readonly secure?: { readonly proxyAuthorization: string };
}

/**
 * Runs wrk once for `seconds` with two threads and `connections` keep-alive connections.
 * @throws {Error} when wrk fails or prints no summary.
 */
export async function runWrk(children: ChildSet, options: WrkOptions): Promise<WrkRun> {
  const dir = mkdtempSync(join(tmpdir(), "pushprox-wrk-"));
  try {
    const script = join(dir, "scrapes.lua");
    const auth = options.secure === undefined ? "nil" : JSON.stringify(options.secure.proxyAuthorization);
    writeFileSync(script, SCRIPT.replace("PROXY_AUTHORIZATION", auth));
    const child = children.spawn({
      name: "wrk",
      command: options.wrk,
      args: [
        "-t2",
        `-c${options.connections}`,
        `-d${options.seconds}s`,
        "--timeout=15s",
        "-s",
        script,
        `${options.secure === undefined ? "http" : "https"}://127.0.0.1:${options.proxyPort}/`,
        "--",
        ...options.urls,
      ],
    });
    let summary: WrkSummary | null = null;
    child.onLine((line) => {
      if (line.startsWith("{")) summary = JSON.parse(line) as WrkSummary;
    });
    const exit = await child.exited;
    if (exit.code !== 0 || summary === null) throw new Error(`wrk failed:\n${child.describe()}`);
    return fromSummary(summary, options.expectBytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fromSummary(s: WrkSummary, expectBytes: number): WrkRun {
  const samples: string[] = [];
  for (const kind of ["connect", "read", "write", "status", "timeout"] as const) {
    if (s[kind] > 0) samples.push(`${s[kind]} ${kind} errors`);
  }
  let ok = s.requests - s.status;
  // wrk does not show bodies to Lua without slowing down; the bytes it read (heads included) tell whether
  // the bodies were whole. If they were not, no scrape of the run counts.
  if (ok > 0 && s.bytes / ok < expectBytes) {
    samples.push(`${Math.round(s.bytes / ok)} bytes per answer, less than the ${expectBytes}-byte body`);
    ok = 0;
  }
  const ms = (us: number) => us / 1000;
  return {
    seconds: s.durationUs / 1e6,
    ok,
    errors: s.connect + s.read + s.write + s.status + s.timeout,
    errorSamples: samples,
    latencyMs: {
      count: s.requests,
      median: ms(s.p50),
      p90: ms(s.p90),
      p99: ms(s.p99),
      min: ms(s.min),
      max: ms(s.max),
    },
    cpuMs: (s.ticks * 1000) / CLOCK_TICKS_PER_SECOND,
  };
}
