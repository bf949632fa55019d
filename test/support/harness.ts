/**
 * One object per test file that starts everything a cross-process test needs and stops all of it in
 * `cleanup()`, which the file calls from `after` (or `afterEach`) so that a failing test leaves no process
 * behind.
 *
 * @example
 * ```ts
 * const h = new Harness();
 * after(() => h.cleanup());
 * const proxy = await h.startProxy();
 * await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
 * ```
 * @module
 */
import {
  type FakeUpstreamProxy,
  type FakeUpstreamProxyOptions,
  startFakeUpstreamProxy,
} from "./fake_upstream_proxy.ts";
import { ProcessSet } from "./process.ts";
import {
  type NodeExporterHandle,
  type PrometheusHandle,
  startNodeExporter,
  startPrometheus,
  tempDir,
} from "./prometheus.ts";
import {
  type ClientHandle,
  type Program,
  type ProxyHandle,
  runProgram,
  type RunResult,
  startClient,
  type StartClientOptions,
  startProxy,
  type StartProxyOptions,
} from "./pushprox.ts";
import { startStaticTarget, type StaticTarget, type StaticTargetOptions } from "./static_target.ts";

/** Starts test processes and servers, and stops them all in {@link Harness.cleanup}. */
export class Harness {
  /** The processes and resources started so far. */
  readonly procs: ProcessSet = new ProcessSet();

  /** Our proxy on a free port (see {@link startProxy}). */
  startProxy(flags: readonly string[] = [], options: StartProxyOptions = {}): Promise<ProxyHandle> {
    return startProxy(this.procs, flags, options);
  }

  /** Our client; by default waits until the proxy lists it (see {@link startClient}). */
  startClient(flags: readonly string[], options?: StartClientOptions): Promise<ClientHandle> {
    return startClient(this.procs, flags, options);
  }

  /** Runs the proxy or client to completion (flag errors, `--help`, `--version`). */
  run(program: Program, args: readonly string[], timeoutMs?: number): Promise<RunResult> {
    return runProgram(this.procs, program, args, timeoutMs);
  }

  /** Debian's node exporter on a free port. */
  startNodeExporter(): Promise<NodeExporterHandle> {
    return startNodeExporter(this.procs);
  }

  /** Debian's Prometheus on a free port with this YAML config. */
  startPrometheus(config: string): Promise<PrometheusHandle> {
    return startPrometheus(this.procs, config);
  }

  /** A fixed-body HTTP target on a free port. */
  startStaticTarget(options?: StaticTargetOptions): Promise<StaticTarget> {
    return startStaticTarget(this.procs, options);
  }

  /** A raw-socket imitation of upstream's Go proxy. */
  startFakeUpstreamProxy(options: FakeUpstreamProxyOptions): Promise<FakeUpstreamProxy> {
    return startFakeUpstreamProxy(this.procs, options);
  }

  /** A temporary directory removed by cleanup. */
  tempDir(prefix: string): Promise<string> {
    return tempDir(this.procs, prefix);
  }

  /** Every process' command line and output, for assertion messages. */
  logs(): string {
    return this.procs.logs();
  }

  /** Stops every process (SIGTERM, then SIGKILL) and closes every server this harness started. */
  cleanup(): Promise<void> {
    return this.procs.cleanup();
  }
}
