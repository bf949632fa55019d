/**
 * Keeps a server's open connections below the process's file descriptor limit. At the limit, accept()
 * fails with EMFILE and leaves the connection queued, so the next event-loop turn tries again: Bun's
 * listen() and node:http on Bun spin at full CPU that way (measured: 8,000 failed accept4 calls a second),
 * and Deno's node:http stops accepting for good. Below it, a connection past the budget is accepted and
 * closed at once: the peer learns immediately, the cost follows the rate of connection attempts rather
 * than a spin, and the server serves again as soon as connections end.
 */
import { readdirSync, readFileSync } from "node:fs";

/** File descriptors kept free beyond those open when the server starts: logs, files, the runtime's own. */
const RESERVED_FDS = 16;

/** What the gate tells its owner: the budget was reached (an episode begins), or there is room again. */
export type GateEvent = { readonly kind: "full" | "open"; readonly limit: number };

/**
 * An episode that starts this soon after the last reported one is not reported: connections that queued
 * in the kernel while the server was full arrive in a burst once it has room, and can fill it again.
 */
const QUIET_MS = 60_000;

/**
 * Counts connections against a budget; reports reaching it and the end of that episode, once each (and
 * at most one episode a minute).
 *
 * @example
 * ```ts
 * const gate = new ConnectionGate(100, (event) => console.log(event.kind));
 * if (!gate.admit()) socket.destroy(); // else call gate.release() when it closes
 * ```
 */
export class ConnectionGate {
  readonly #limit: number;
  readonly #report: (event: GateEvent) => void;
  readonly #now: () => number;
  #open = 0;
  #full = false;
  /** The current episode was reported, so its end will be too. */
  #announced = false;
  #lastReport = -Infinity;

  /** `limit` connections at most (Infinity: no limit); `now` in milliseconds. */
  constructor(limit: number, report: (event: GateEvent) => void = () => {}, now: () => number = Date.now) {
    this.#limit = limit;
    this.#report = report;
    this.#now = now;
  }

  /** A connection was accepted: true to keep it, false to close it at once (it was not counted). */
  admit(): boolean {
    const admitted = this.#open < this.#limit;
    if (admitted) this.#open++;
    // Reported on reaching the limit, not on the first refusal: a server that stops accepting there
    // (node:http on Deno) never gets to refuse one.
    if (this.#open >= this.#limit && !this.#full) {
      this.#full = true;
      const now = this.#now();
      if (now - this.#lastReport >= QUIET_MS) {
        this.#lastReport = now;
        this.#announced = true;
        this.#report({ kind: "full", limit: this.#limit });
      }
    }
    return admitted;
  }

  /** An admitted connection closed. The episode ends once a tenth of the budget is free again. */
  release(): void {
    this.#open--;
    if (this.#full && this.#open <= this.#limit * 0.9) {
      this.#full = false;
      if (this.#announced) this.#report({ kind: "open", limit: this.#limit });
      this.#announced = false;
    }
  }
}

/**
 * How many connections a server of this process may hold: the soft limit on open files (from
 * /proc/self/limits) less the descriptors already open (Deno holds ~25 before serving) and a reserve;
 * Infinity where the limit cannot be read or is unlimited.
 *
 * @example
 * ```ts
 * connectionBudget("Max open files            1024                 4096                 files", 20); // 988
 * ```
 */
export function connectionBudget(limits: string | null = readLimits(), open: number = countOpen()): number {
  const soft = /^Max open files\s+(\d+)/m.exec(limits ?? "")?.[1];
  if (soft === undefined) return Infinity;
  return Math.max(1, Number(soft) - open - RESERVED_FDS);
}

function readLimits(): string | null {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    // Not Linux, or no permission to read it: no budget, as before.
    return null;
  }
}

function countOpen(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}
