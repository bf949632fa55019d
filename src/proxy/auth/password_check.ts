/**
 * Checks a user's password against the bcrypt hashes of `basic_auth_users`, remembering pairs that
 * verified. bcrypt at cost 10 takes ~80 ms in JavaScript (bcryptjs) by design, and Prometheus sends the
 * same credentials with every scrape: after the first, a check is one SHA-256 of the pair and a map
 * lookup (microseconds). The cache is keyed by that digest, never by the password, and bounded; failed
 * checks are not remembered, so a wrong password always costs the full bcrypt.
 * @module
 */
import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";

export interface PasswordCheckOptions {
  /** Verified pairs remembered at most (the oldest is dropped first). Default 1024. */
  readonly maxEntries?: number;
  /** The bcrypt comparison (a test may count calls). Default: bcryptjs' compare. */
  readonly compare?: (password: string, hash: string) => Promise<boolean>;
}

/**
 * @example
 * ```ts
 * const check = new PasswordCheck(new Map([["prometheus", "$2y$10$..."]]));
 * const ok = await check.verify("prometheus", "secret");
 * ```
 */
export class PasswordCheck {
  readonly #hashes: ReadonlyMap<string, string>;
  readonly #maxEntries: number;
  readonly #compare: (password: string, hash: string) => Promise<boolean>;
  /** Digest of a verified (user, password) pair -> true; insertion order is age. */
  readonly #verified = new Map<string, true>();
  /** Comparisons under way, so a burst of first requests runs bcrypt once. */
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(hashes: ReadonlyMap<string, string>, options: PasswordCheckOptions = {}) {
    this.#hashes = hashes;
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#compare = options.compare ?? ((password, hash) => bcrypt.compare(password, hash));
  }

  /** Pairs currently remembered. */
  get size(): number {
    return this.#verified.size;
  }

  /** True when `password` is `user`'s; synchronous when the pair verified before. */
  verify(user: string, password: string): boolean | Promise<boolean> {
    const hash = this.#hashes.get(user);
    if (hash === undefined) return false;
    // The hash is part of the key, so a reloaded configuration with a new hash never matches old entries.
    const key = createHash("sha256").update(`${user}\0${password}\0${hash}`).digest("base64");
    if (this.#verified.has(key)) return true;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#compare(password, hash).catch(() => false).then((ok) => {
        this.#pending.delete(key);
        if (ok) this.#remember(key);
        return ok;
      });
      this.#pending.set(key, pending);
    }
    return pending;
  }

  #remember(key: string): void {
    if (this.#verified.size >= this.#maxEntries) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(key, true);
  }
}
