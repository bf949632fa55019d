/**
 * Child processes for cross-process tests, through `node:child_process` so the same harness runs under
 * Deno and Bun. Output is kept so a failing assertion can show what the program said; every process is
 * owned by a {@link ProcessSet} that a test's `after`/`afterEach` empties, so none outlives its test.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { withTimeout } from "./wait.ts";

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** What {@link ProcessSet.spawn} needs. */
export interface SpawnOptions {
  /** Short name for messages, e.g. "proxy (deno)". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Added to the test runner's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Output kept per stream; a chatty process must not eat the test runner's memory. */
const MAX_KEPT_CHARS = 256 * 1024;

/** A running (or finished) child process with its output. */
export class ManagedProcess {
  readonly name: string;
  readonly commandLine: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  #stdout = "";
  #stderr = "";
  #status: ExitStatus | null = null;
  #spawnError: Error | null = null;

  constructor(options: SpawnOptions) {
    this.name = options.name;
    this.commandLine = [options.command, ...options.args].join(" ");
    this.#child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child.stdout?.setEncoding("utf8");
    this.#child.stderr?.setEncoding("utf8");
    this.#child.stdout?.on("data", (text: string) => (this.#stdout = keepTail(this.#stdout + text)));
    this.#child.stderr?.on("data", (text: string) => (this.#stderr = keepTail(this.#stderr + text)));
    this.exited = new Promise((resolve) => {
      this.#child.once("error", (error) => {
        // ENOENT and friends: no "exit" event follows, so this is the end of the process.
        this.#spawnError = error;
        this.#status = { code: null, signal: null };
        resolve(this.#status);
      });
      // "close" (not "exit") so that all output has been read when we report.
      this.#child.once("close", (code, signal) => {
        this.#status ??= { code, signal };
        resolve(this.#status);
      });
      // A grandchild holding the output pipes would delay "close" for ever; the exit is what counts.
      this.#child.once("exit", (code, signal) => {
        setTimeout(() => {
          this.#status ??= { code, signal };
          resolve(this.#status);
        }, 2000).unref();
      });
    });
  }

  /** Process id, or undefined when spawning failed. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Everything written to stdout so far (the last 256 KiB). */
  get stdout(): string {
    return this.#stdout;
  }

  /** Everything written to stderr so far (the last 256 KiB). */
  get stderr(): string {
    return this.#stderr;
  }

  /** The exit status once exited, else null. */
  get status(): ExitStatus | null {
    return this.#status;
  }

  /** Why the process is not running, or undefined while it runs. */
  deathReason(): string | undefined {
    if (this.#spawnError) return `could not start ${this.commandLine}: ${this.#spawnError.message}`;
    if (this.#status === null) return undefined;
    return `exited with ${describeStatus(this.#status)}`;
  }

  /** Sends a signal if the process still runs. */
  signal(name: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (this.#status !== null || pid === undefined) return;
    // Not child.kill(): under Deno 2.9 it makes "exit" report the signal even when the program caught it
    // and exited with code 0, which would hide exactly what the SIGTERM tests check.
    try {
      process.kill(pid, name);
    } catch {
      // Already gone (ESRCH): nothing to signal.
    }
  }

  /**
   * SIGTERM, then SIGKILL if the process has not exited after `graceMs`. Resolves with the exit status.
   */
  async stop(graceMs = 3000): Promise<ExitStatus> {
    if (this.#status !== null) return this.#status;
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL at once (a crash, as far as peers can tell). Resolves with the exit status. */
  async kill9(): Promise<ExitStatus> {
    this.signal("SIGKILL");
    return await this.exited;
  }

  /** Waits for the process to exit on its own, failing with its logs after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    return await withTimeout(this.exited, timeoutMs, `${this.name} to exit\n${this.logs()}`);
  }

  /** Command line, state and captured output, for failure messages. */
  logs(): string {
    const state = this.deathReason() ?? "still running";
    return [
      `--- ${this.name}: ${this.commandLine} (${state})`,
      `--- stdout:\n${this.#stdout.trimEnd()}`,
      `--- stderr:\n${this.#stderr.trimEnd()}`,
      `--- end of ${this.name}`,
    ].join("\n");
  }
}

/** "code 1", "signal SIGKILL". */
export function describeStatus(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${status.code}`;
}

function keepTail(text: string): string {
  return text.length > MAX_KEPT_CHARS ? text.slice(text.length - MAX_KEPT_CHARS) : text;
}

/**
 * The processes (and other resources) one test file started. `cleanup()` stops them all, in reverse
 * order (clients before the proxy they poll), and runs registered clean-up callbacks.
 *
 * @example
 * ```ts
 * const procs = new ProcessSet();
 * after(() => procs.cleanup());
 * const sleeper = procs.spawn({ name: "sleep", command: "sleep", args: ["60"] });
 * ```
 */
export class ProcessSet {
  readonly #processes: ManagedProcess[] = [];
  readonly #cleanups: Array<() => unknown> = [];

  /** Starts a process that `cleanup()` will stop. */
  spawn(options: SpawnOptions): ManagedProcess {
    const child = new ManagedProcess(options);
    this.#processes.push(child);
    return child;
  }

  /** Registers a callback for `cleanup()` (closing a server, removing a temp dir). */
  defer(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  /** Logs of every process started so far, for failure messages. */
  logs(): string {
    return this.#processes.map((child) => child.logs()).join("\n");
  }

  /**
   * Stops every process (SIGTERM, SIGKILL after `graceMs`), then runs deferred callbacks newest first.
   * Never throws on account of one resource, so one failure cannot leave the others running.
   */
  async cleanup(graceMs = 3000): Promise<void> {
    const processes = this.#processes.splice(0).reverse();
    await Promise.all(processes.map((child) => child.stop(graceMs)));
    const cleanups = this.#cleanups.splice(0).reverse();
    const errors: unknown[] = [];
    for (const cleanup of cleanups) {
      try {
        // A server whose close() never calls back must not hang the test run.
        await withTimeout(Promise.resolve(cleanup()), 5000, "a test resource to close");
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "Some test resources failed to clean up");
  }
}
