/**
 * Every process the benchmark starts is registered in one {@link ChildSet}, so a finished run, a failed
 * one and Ctrl-C all end with the same `stopAll()`. Helpers written in TypeScript also get their stdin as
 * a pipe: they exit when it closes, so even a benchmark killed with SIGKILL leaves none of them behind.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** Output kept per child, for error messages. */
const KEPT_CHARS = 16 * 1024;

/** A running (or finished) child process. */
export class Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  #exit: ChildExit | null = null;
  #stderr = "";
  #stdout = "";
  #lineListeners: Array<(line: string) => void> = [];
  #partial = "";

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.process = child;
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => this.#onStdout(text));
    child.stderr?.on("data", (text: string) => (this.#stderr = (this.#stderr + text).slice(-KEPT_CHARS)));
    this.exited = new Promise((resolve) => {
      child.once("error", (error) => {
        this.#stderr += `\nspawn failed: ${error.message}`;
        this.#exit ??= { code: null, signal: null };
        resolve(this.#exit);
      });
      child.once("exit", (code, signal) => {
        this.#exit ??= { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /** The process id. @throws {Error} when spawning failed. */
  get pid(): number {
    if (this.process.pid === undefined) throw new Error(`${this.name} did not start:\n${this.#stderr}`);
    return this.process.pid;
  }

  /** True until the process exits. */
  get running(): boolean {
    return this.#exit === null;
  }

  /** Calls `listener` with every complete stdout line from now on. */
  onLine(listener: (line: string) => void): void {
    this.#lineListeners.push(listener);
  }

  /** True once it has written anything. */
  get hasOutput(): boolean {
    return this.#stdout.length + this.#stderr.length > 0;
  }

  /** The last `chars` of stdout and stderr and how it ended, for error messages. */
  describe(chars = KEPT_CHARS): string {
    const state = this.#exit === null
      ? "running"
      : `exited (code ${this.#exit.code}, signal ${this.#exit.signal})`;
    const tail = (text: string) => text.trimEnd().slice(-chars);
    return `--- ${this.name} [${state}]\n--- stdout:\n${tail(this.#stdout)}\n--- stderr:\n${
      tail(this.#stderr)
    }`;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 2000): Promise<ChildExit> {
    if (this.#exit !== null) return this.#exit;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #onStdout(text: string): void {
    this.#stdout = (this.#stdout + text).slice(-KEPT_CHARS);
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) for (const listener of this.#lineListeners) listener(line);
  }
}

/** What {@link ChildSet.spawn} needs. */
export interface SpawnSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** A pipe for stdin (helpers exit when it closes); else stdin is /dev/null. */
  readonly stdinPipe?: boolean;
  readonly cwd?: string;
}

/**
 * The processes of one run.
 *
 * @example
 * ```ts
 * const children = new ChildSet();
 * try {
 *   children.spawn({ name: "sleep", command: "sleep", args: ["9"] });
 * } finally {
 *   await children.stopAll();
 * }
 * ```
 */
export class ChildSet {
  readonly #children = new Set<Child>();
  readonly #parent: ChildSet | undefined;
  #onSpawn: (child: Child) => void = () => {};

  /** A set whose children are also the `parent`'s, so the parent's `stopAll()` ends them too. */
  constructor(parent?: ChildSet) {
    this.#parent = parent;
  }

  /**
   * Runs `body` with a set of its own and stops that set's children when `body` settles: one benchmark
   * section's processes never leak into the next section's measurements.
   */
  async scope<T>(body: (children: ChildSet) => Promise<T>): Promise<T> {
    const scoped = new ChildSet(this);
    const all: Child[] = [];
    scoped.#onSpawn = (child) => all.push(child);
    try {
      return await body(scoped);
    } catch (error) {
      // What the programs said is usually the explanation; keep the last lines of each one that did not stop cleanly.
      const said = all.filter((c) => !c.running || c.hasOutput).slice(-4).map((c) => c.describe(1500)).join(
        "\n",
      );
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${said}`, { cause: error });
    } finally {
      await scoped.stopAll();
    }
  }

  /** Starts a process that {@link stopAll} will end. */
  spawn(spec: SpawnSpec): Child {
    const child = new Child(
      spec.name,
      spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        stdio: [spec.stdinPipe ? "pipe" : "ignore", "pipe", "pipe"],
      }),
    );
    this.#track(child);
    return child;
  }

  #track(child: Child): void {
    this.#onSpawn(child);
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
    if (this.#parent !== undefined) this.#parent.#track(child);
  }

  /** How many are still running. */
  get size(): number {
    return this.#children.size;
  }

  /** Stops every child still running, newest first in parallel, SIGKILL after `graceMs`. */
  async stopAll(graceMs = 2000): Promise<void> {
    const all = [...this.#children].reverse();
    await Promise.all(all.map((child) => child.stop(graceMs)));
  }

  /** SIGKILL to every child at once: for a process `exit` handler, which cannot wait. */
  killAllNow(): void {
    for (const child of this.#children) child.process.kill("SIGKILL");
  }
}

/**
 * Command and arguments that run a TypeScript file with the runtime running this script (Deno or Bun),
 * so helpers need no separate build.
 */
export function scriptCommand(script: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.versions.bun !== undefined) return { command: process.execPath, args: [script, ...args] };
  if (process.versions.deno !== undefined) {
    return { command: process.execPath, args: ["run", "-A", script, ...args] };
  }
  throw new Error("Cannot run helper scripts: this runtime is neither Deno nor Bun");
}
