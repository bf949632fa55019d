import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocatorExec } from "./bun_allocator.ts";

describe("allocatorExec()", () => {
  const image = {
    env: { PATH: "/usr/bin", HOME: undefined },
    argv: ["bun", "/$bunfs/root/client", "--proxy-url=http://proxy:8080/", "--fqdn=web1"],
    execArgv: [],
    execPath: "/opt/pushprox/client",
    compiled: true,
  };

  it("re-executes a compiled client with the user's arguments and MIMALLOC_PURGE_DELAY=-1 added", () => {
    assert.deepEqual(allocatorExec(image), {
      file: "/opt/pushprox/client",
      args: ["bun", "--proxy-url=http://proxy:8080/", "--fqdn=web1"],
      env: { PATH: "/usr/bin", MIMALLOC_PURGE_DELAY: "-1" },
    });
  });

  it("keeps the script and bun's own flags when run from source", () => {
    const exec = allocatorExec({
      ...image,
      argv: ["/usr/bin/bun", "/src/main_client.ts", "--fqdn=web1"],
      execArgv: ["--smol"],
      execPath: "/usr/bin/bun",
      compiled: false,
    });
    assert.deepEqual(exec?.args, ["/usr/bin/bun", "--smol", "/src/main_client.ts", "--fqdn=web1"]);
  });

  it("does nothing once the variable is set, by the first run or by the operator", () => {
    assert.equal(allocatorExec({ ...image, env: { MIMALLOC_PURGE_DELAY: "10" } }), null);
    assert.equal(allocatorExec({ ...image, env: { MIMALLOC_PURGE_DELAY: "-1" } }), null);
  });
});
