import { describe, it } from "node:test";
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { PasswordCheck } from "./password_check.ts";

// Cost 4 keeps the real bcrypt fast in tests; the cache logic is the same at any cost.
const hashes = new Map([["prometheus", bcrypt.hashSync("secret", 4)], [
  "host1",
  bcrypt.hashSync("other", 4),
]]);

function counting() {
  let calls = 0;
  const compare = (password: string, hash: string) => {
    calls++;
    return bcrypt.compare(password, hash);
  };
  return { compare, calls: () => calls };
}

describe("PasswordCheck", () => {
  it("PasswordCheck verifies against bcrypt once, then answers a verified pair synchronously", async () => {
    const bcryptCalls = counting();
    const check = new PasswordCheck(hashes, { compare: bcryptCalls.compare });
    assert.equal(await check.verify("prometheus", "secret"), true);
    assert.equal(check.verify("prometheus", "secret"), true); // not a Promise: the cached path
    assert.equal(bcryptCalls.calls(), 1);
  });

  it("PasswordCheck never remembers a wrong password; an unknown user costs a bcrypt too (no timing tell)", async () => {
    const bcryptCalls = counting();
    const check = new PasswordCheck(hashes, { compare: bcryptCalls.compare });
    assert.equal(await check.verify("prometheus", "wrong"), false);
    assert.equal(await check.verify("prometheus", "wrong"), false);
    assert.equal(bcryptCalls.calls(), 2);
    assert.equal(await check.verify("nobody", "secret"), false);
    assert.equal(await check.verify("nobody", "secret"), false);
    assert.equal(bcryptCalls.calls(), 4);
    // One user's password is not another's.
    assert.equal(await check.verify("host1", "secret"), false);
  });

  it("PasswordCheck runs bcrypt once for a burst of first requests with the same credentials", async () => {
    const bcryptCalls = counting();
    const check = new PasswordCheck(hashes, { compare: bcryptCalls.compare });
    const results = await Promise.all(Array.from({ length: 20 }, () => check.verify("prometheus", "secret")));
    assert.ok(results.every((ok) => ok === true));
    assert.equal(bcryptCalls.calls(), 1);
  });

  it("PasswordCheck answers busy past its cap on comparisons under way; verified pairs still pass", async () => {
    const check = new PasswordCheck(hashes, { maxPending: 2 });
    assert.equal(await check.verify("prometheus", "secret"), true);
    const flood = [check.verify("host1", "a"), check.verify("host1", "b")];
    assert.equal(check.verify("host1", "c"), "busy");
    assert.equal(check.verify("prometheus", "secret"), true);
    assert.deepEqual(await Promise.all(flood), [false, false]);
    assert.equal(await check.verify("host1", "other"), true); // room again once they finished
  });

  it("PasswordCheck stays within its bound, dropping the oldest pair first", async () => {
    const many = new Map(
      Array.from({ length: 5 }, (_, i) => [`u${i}`, bcrypt.hashSync(`p${i}`, 4)] as const),
    );
    const bcryptCalls = counting();
    const check = new PasswordCheck(many, { maxEntries: 3, compare: bcryptCalls.compare });
    for (let i = 0; i < 5; i++) assert.equal(await check.verify(`u${i}`, `p${i}`), true);
    assert.equal(check.size, 3);
    assert.equal(check.verify("u4", "p4"), true); // still cached
    assert.equal(await check.verify("u0", "p0"), true); // dropped, verified again
    assert.equal(bcryptCalls.calls(), 6);
  });
});
