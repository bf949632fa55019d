import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatListenAddress, parseListenAddress } from "./listen_address.ts";

describe("parseListenAddress()", () => {
  it("parseListenAddress() reads an empty host as all interfaces", () => {
    assert.deepEqual(parseListenAddress(":8080"), { hostname: "", port: 8080 });
  });

  it("parseListenAddress() reads IPv4, names and port 0", () => {
    assert.deepEqual(parseListenAddress("127.0.0.1:9369"), { hostname: "127.0.0.1", port: 9369 });
    assert.deepEqual(parseListenAddress("localhost:0"), { hostname: "localhost", port: 0 });
    assert.deepEqual(parseListenAddress("proxy.example.com:65535"), {
      hostname: "proxy.example.com",
      port: 65535,
    });
  });

  it("parseListenAddress() strips the brackets from IPv6 hosts", () => {
    assert.deepEqual(parseListenAddress("[::1]:8080"), { hostname: "::1", port: 8080 });
    assert.deepEqual(parseListenAddress("[::]:80"), { hostname: "::", port: 80 });
  });

  it("parseListenAddress() rejects a missing port", () => {
    for (const text of ["8080", "localhost", "localhost:", "[::1]", "[::1]:", ""]) {
      assert.throws(() => parseListenAddress(text), { name: "SyntaxError", message: /missing port/ }, text);
    }
  });

  it("parseListenAddress() rejects a port above 65535", () => {
    assert.throws(() => parseListenAddress(":65536"), {
      name: "RangeError",
      message: /port 65536 is above 65535/,
    });
  });

  it("parseListenAddress() rejects garbage", () => {
    for (
      const text of [":http", ":-1", "a b:80", "::1:8080", "[nothost]:80", "[::1:80", "host:80:80", ":123456"]
    ) {
      assert.throws(() => parseListenAddress(text), SyntaxError, text);
    }
  });
});

describe("formatListenAddress()", () => {
  it("formatListenAddress() brackets IPv6 and round-trips", () => {
    for (const text of [":8080", "127.0.0.1:9369", "[::1]:8080"]) {
      assert.equal(formatListenAddress(parseListenAddress(text)), text);
    }
  });
});
