/**
 * Checks a user's password against the bcrypt hashes of `basic_auth_users`, remembering pairs that
 * verified. bcrypt at cost 10 takes ~80 ms in JavaScript (bcryptjs) by design, and Prometheus sends the
 * same credentials with every scrape: after the first, a check is one SHA-256 of the pair and a map
 * lookup (microseconds). The cache is keyed by that digest, never by the password, and bounded; failed
 * checks are not remembered, so a wrong password always costs the full bcrypt. An unknown user costs a
 * bcrypt too (against a hash of nothing anyone knows), so timing does not tell which user names exist.
 * Comparisons under way are capped: a flood of wrong passwords gets "busy" answers instead of all of the
 * proxy's CPU, while pairs already verified (Prometheus, running clients) still pass at once.
 * @module
 */
import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";

/** A bcrypt hash of a random string nobody kept: what an unknown user's password is compared with. */
const NOBODYS_HASH = "$2b$10$7T3NQwFHSwXHxJEOD7DJUOKmQP.y052aLtFN4ZDYeNokzp3qvyiK.";

/** `true` or `false`, or "busy" when too many comparisons are under way to start another. */
export type Verdict = boolean | "busy";

export interface PasswordCheckOptions {
  /** Verified pairs remembered at most (the oldest is dropped first). Default 1024. */
  readonly maxEntries?: number;
  /** bcrypt comparisons under way at most (each ~80 ms of CPU); more get "busy". Default 8. */
  readonly maxPending?: number;
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
  readonly #maxPending: number;
  readonly #compare: (password: string, hash: string) => Promise<boolean>;
  /** Digest of a verified (user, password) pair -> true; insertion order is age. */
  readonly #verified = new Map<string, true>();
  /** Comparisons under way, so a burst of first requests runs bcrypt once. */
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(hashes: ReadonlyMap<string, string>, options: PasswordCheckOptions = {}) {
    this.#hashes = hashes;
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#maxPending = options.maxPending ?? 8;
    this.#compare = options.compare ?? ((password, hash) => bcrypt.compare(password, hash));
  }

  /** Pairs currently remembered. */
  get size(): number {
    return this.#verified.size;
  }

  /** True when `password` is `user`'s; synchronous when the pair verified before. */
  verify(user: string, password: string): Verdict | Promise<Verdict> {
    const known = this.#hashes.get(user);
    const hash = known ?? NOBODYS_HASH;
    // The hash is part of the key, so a reloaded configuration with a new hash never matches old entries.
    const key = createHash("sha256").update(`${user}\0${password}\0${hash}`).digest("base64");
    if (this.#verified.has(key)) return true;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      if (this.#pending.size >= this.#maxPending) return "busy";
      pending = this.#compare(password, hash).catch(() => false).then((ok) => {
        this.#pending.delete(key);
        if (ok && known !== undefined) this.#remember(key);
        return ok && known !== undefined;
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
