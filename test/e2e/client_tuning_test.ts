/**
 * The Bun-built client re-executes itself once at start with its allocator and JIT settings (see
 * src/runtime/bun/tuning.ts): the running process, same PID, must carry the variables and scrape as
 * usual, and an operator's own values must survive. Under Deno there is neither mimalloc nor
 * JavaScriptCore to tune.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";
import { CLIENT_TUNING } from "../../src/runtime/bun/tuning.ts";

const impl = selectedImplementation();

/** The variables of a running process, from /proc. */
function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").filter((line) => line !== "");
  return new Map(
    entries.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe(`client runtime tuning (${impl})`, {
  skip: impl === "deno" ? "Bun builds only: Deno has no mimalloc or JavaScriptCore" : false,
}, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let target: StaticTarget;

  before(async () => {
    proxy = await h.startProxy();
    target = await h.startStaticTarget();
  });
  after(() => h.cleanup());

  it("runs, in the PID it was started as, with its tuning variables set, and scrapes", async () => {
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const pid = client.process.pid!;
    const environ = environOf(pid);
    assert.equal(environ.get("MIMALLOC_PURGE_DELAY"), "-1");
    assert.equal(environ.get("BUN_JSC_useFTLJIT"), "0");
    for (const [name, value] of Object.entries(CLIENT_TUNING)) assert.equal(environ.get(name), value, name);
    const response = await rawExchange(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`),
    );
    assert.equal(statusOf(response), 200, bodyText(response));
    assert.equal(client.process.pid, pid);
    await client.stop();
  });

  it("keeps the operator's own values and adds the rest", async () => {
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.2"], {
      env: { MIMALLOC_PURGE_DELAY: "25", BUN_JSC_useFTLJIT: "1" },
    });
    const environ = environOf(client.process.pid!);
    assert.equal(environ.get("MIMALLOC_PURGE_DELAY"), "25");
    assert.equal(environ.get("BUN_JSC_useFTLJIT"), "1");
    assert.equal(environ.get("BUN_JSC_thresholdForOptimizeAfterWarmUp"), "100");
    await client.stop();
  });
});
