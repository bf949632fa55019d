import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLIENT_TUNING, tuningExec } from "./tuning.ts";

describe("tuningExec()", () => {
  const image = {
    env: { PATH: "/usr/bin", HOME: undefined },
    argv: ["bun", "/$bunfs/root/client", "--proxy-url=http://proxy:8080/", "--fqdn=web1"],
    argv0: "/opt/pushprox/client",
    execArgv: [],
    execPath: "/opt/pushprox/client",
    compiled: true,
  };

  it("re-executes a compiled client with the user's arguments and every tuning variable added", () => {
    assert.deepEqual(tuningExec(image), {
      file: "/opt/pushprox/client",
      args: ["/opt/pushprox/client", "--proxy-url=http://proxy:8080/", "--fqdn=web1"],
      env: {
        PATH: "/usr/bin",
        MIMALLOC_PURGE_DELAY: "-1",
        BUN_JSC_thresholdForJITAfterWarmUp: "20",
        BUN_JSC_thresholdForOptimizeAfterWarmUp: "100",
        BUN_JSC_useFTLJIT: "0",
      },
    });
  });

  it("keeps the name the user started it as, which may be a link to the one executable", () => {
    const viaLink = { ...image, argv0: "./client", execPath: "/opt/pushprox/pushprox" };
    assert.equal(tuningExec(viaLink)?.file, "./client");
    assert.equal(tuningExec(viaLink)?.args[0], "./client");
    const fromPath = {
      ...image,
      argv0: "pushprox",
      argv: [...image.argv.slice(0, 2), "client", "--fqdn=web1"],
    };
    assert.deepEqual(tuningExec({ ...fromPath, execPath: "/usr/bin/pushprox" })?.file, "/usr/bin/pushprox");
    assert.deepEqual(tuningExec(fromPath)?.args, ["pushprox", "client", "--fqdn=web1"]);
  });

  it("keeps the script and bun's own flags when run from source", () => {
    const exec = tuningExec({
      ...image,
      argv: ["/usr/bin/bun", "/src/main_client.ts", "--fqdn=web1"],
      execArgv: ["--smol"],
      execPath: "/usr/bin/bun",
      compiled: false,
    });
    assert.deepEqual(exec?.args, ["/usr/bin/bun", "--smol", "/src/main_client.ts", "--fqdn=web1"]);
  });

  it("keeps what the operator set and adds only the rest", () => {
    const exec = tuningExec({ ...image, env: { MIMALLOC_PURGE_DELAY: "10", BUN_JSC_useFTLJIT: "1" } });
    assert.equal(exec?.env.MIMALLOC_PURGE_DELAY, "10");
    assert.equal(exec?.env.BUN_JSC_useFTLJIT, "1");
    assert.equal(exec?.env.BUN_JSC_thresholdForJITAfterWarmUp, "20");
  });

  it("does nothing once every variable is set, by the first run or by the operator", () => {
    assert.equal(tuningExec({ ...image, env: { ...CLIENT_TUNING } }), null);
    assert.equal(tuningExec({ ...image, env: { ...CLIENT_TUNING, MIMALLOC_PURGE_DELAY: "10" } }), null);
  });
});
