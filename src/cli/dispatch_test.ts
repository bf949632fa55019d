import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dispatch, programFromName } from "./dispatch.ts";

describe("programFromName()", () => {
  it("knows the release archive's links and installed names", () => {
    assert.equal(programFromName("./proxy"), "proxy");
    assert.equal(programFromName("client"), "client");
    assert.equal(programFromName("/usr/local/bin/pushprox-client"), "client");
    assert.equal(programFromName("/opt/pushprox_proxy"), "proxy");
    assert.equal(programFromName("C:\\pushprox\\proxy.exe"), "proxy");
    assert.equal(programFromName("CLIENT.EXE"), "client");
  });

  it("takes no program from other names", () => {
    assert.equal(programFromName("./pushprox"), null);
    assert.equal(programFromName("pushprox.exe"), null);
    assert.equal(programFromName("/usr/bin/bun"), null);
    assert.equal(programFromName("proxyfoo"), null);
  });
});

describe("dispatch()", () => {
  it("runs the program its name says, with every argument as a flag", () => {
    assert.deepEqual(dispatch("./proxy", ["--web.listen-address=:8080"]), {
      kind: "run",
      program: "proxy",
      args: ["--web.listen-address=:8080"],
    });
    // A name that says the program wins over a first argument that names the other one.
    assert.deepEqual(dispatch("/bin/client", ["proxy"]), { kind: "run", program: "client", args: ["proxy"] });
  });

  it("takes the program from the first argument under any other name", () => {
    assert.deepEqual(dispatch("./pushprox", ["client", "--proxy-url=http://p:8080/"]), {
      kind: "run",
      program: "client",
      args: ["--proxy-url=http://p:8080/"],
    });
    assert.deepEqual(dispatch("pushprox", ["proxy"]), { kind: "run", program: "proxy", args: [] });
  });

  it("answers help and version, and names what is wrong otherwise", () => {
    assert.deepEqual(dispatch("pushprox", ["--help"]), { kind: "help" });
    assert.deepEqual(dispatch("pushprox", ["-h"]), { kind: "help" });
    assert.deepEqual(dispatch("pushprox", ["--version"]), { kind: "version" });
    assert.deepEqual(dispatch("pushprox", []), {
      kind: "usage",
      message: "missing command: expected proxy or client",
    });
    assert.deepEqual(dispatch("pushprox", ["--web.listen-address=:8080"]), {
      kind: "usage",
      message: 'unknown command "--web.listen-address=:8080": expected proxy or client',
    });
  });
});
