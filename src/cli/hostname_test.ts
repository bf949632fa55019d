import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isHostname, isIpv6Address } from "./hostname.ts";

describe("isHostname()", () => {
  it("isHostname() accepts names, underscores, IPv4 and IPv6", () => {
    for (
      const name of ["localhost", "node-1.example.com", "my_host.lan", "10.0.0.7", "::1", "fe80::1", "A1"]
    ) {
      assert.equal(isHostname(name), true, name);
    }
  });

  it("isHostname() rejects spaces, empty labels, bad characters and overlong names", () => {
    const long = `${"a".repeat(63)}.`.repeat(4) + "a"; // 257 characters
    for (
      const name of ["", "a b", "a..b", ".a", "a.", "host/x", "hést", "a".repeat(64), long, "[::1]", ":::"]
    ) {
      assert.equal(isHostname(name), false, name);
    }
  });
});

describe("isIpv6Address()", () => {
  it("isIpv6Address() tells IPv6 from IPv4 and names", () => {
    assert.equal(isIpv6Address("2001:db8::7"), true);
    assert.equal(isIpv6Address("127.0.0.1"), false);
    assert.equal(isIpv6Address("g::1"), false);
  });
});
