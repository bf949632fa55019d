/**
 * A line-based JSON protocol between the benchmark and its helper processes (static target, load
 * generator, idle pollers, simulated clients). The helper prints one `{"ready": ...}` line when it is set
 * up, then answers each `{"id", "cmd", "params"}` line on stdin with `{"id", "result"}` or
 * `{"id", "error"}`. It exits when stdin closes, so a helper never outlives the benchmark.
 * @module
 */
import process from "node:process";
import type { Child, ChildSet } from "./children.ts";
import { scriptCommand } from "./children.ts";

/** Helper side: the commands it serves. */
export type Handlers = Record<string, (params: Record<string, unknown>) => unknown | Promise<unknown>>;

/**
 * Helper side: announces `ready`, then serves `handlers` until stdin closes, then runs `onExit` and exits.
 */
export function serveRpc(ready: unknown, handlers: Handlers, onExit: () => void = () => {}): void {
  const write = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
  write({ ready });
  let partial = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (text: string) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      const { id, cmd, params } = JSON.parse(line) as {
        id: number;
        cmd: string;
        params: Record<string, unknown>;
      };
      const handler = handlers[cmd];
      Promise.resolve()
        .then(() => {
          if (handler === undefined) throw new TypeError(`Unknown command "${cmd}"`);
          return handler(params ?? {});
        })
        .then((result) => write({ id, result: result ?? null }))
        .catch((error: unknown) =>
          write({ id, error: error instanceof Error ? error.message : String(error) })
        );
    }
  });
  const quit = () => {
    onExit();
    process.exit(0);
  };
  process.stdin.on("end", quit);
  process.stdin.on("close", quit);
}

/** Parent side: a helper process started from a TypeScript file and spoken to with {@link serveRpc}. */
export class RpcChild {
  readonly child: Child;
  /** What the helper announced once ready. */
  readonly ready: Promise<unknown>;
  #nextId = 1;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(children: ChildSet, name: string, script: string, args: readonly string[]) {
    const { command, args: fullArgs } = scriptCommand(script, args);
    this.child = children.spawn({ name, command, args: fullArgs, stdinPipe: true });
    let announce: (value: unknown) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      announce = resolve;
      void this.child.exited.then(() =>
        reject(new Error(`${name} exited before it was ready:\n${this.child.describe()}`))
      );
    });
    // Only waitReady() reports a failure to start; an exit after that must not count as unhandled.
    this.ready.catch(() => {});
    this.child.onLine((line) => {
      if (!line.startsWith("{")) return;
      const message = JSON.parse(line) as { ready?: unknown; id?: number; result?: unknown; error?: string };
      if ("ready" in message) announce(message.ready);
      const waiting = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (waiting === undefined) return;
      this.#pending.delete(message.id!);
      if (message.error !== undefined) waiting.reject(new Error(`${name}: ${message.error}`));
      else waiting.resolve(message.result);
    });
    void this.child.exited.then(() => {
      for (const waiting of this.#pending.values()) {
        waiting.reject(new Error(`${name} exited:\n${this.child.describe()}`));
      }
      this.#pending.clear();
    });
  }

  /** Waits for the ready line, failing after `timeoutMs`. */
  async waitReady<T>(timeoutMs = 30_000): Promise<T> {
    return await within(this.ready, timeoutMs, `${this.child.name} to be ready`) as T;
  }

  /** Sends a command and waits for its answer. */
  async call<T>(cmd: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.child.process.stdin?.write(`${JSON.stringify({ id, cmd, params })}\n`);
    return await within(answer, timeoutMs, `${this.child.name} to answer "${cmd}"`) as T;
  }
}

/** Races a promise against a deadline. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
