/**
 * Shutdown as a service manager does it: SIGTERM must stop each program promptly with exit code 0, so
 * systemd and Kubernetes see a clean stop rather than a failure or a SIGKILL after the grace period.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { describeStatus } from "../support/process.ts";
import { selectedImplementation } from "../support/pushprox.ts";

/** "Within a second or two", with room for a loaded CI machine. */
const STOP_LIMIT_MS = 2500;

describe(`SIGTERM (${selectedImplementation()})`, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("stops the proxy with exit code 0 within a second or two, even with a poll waiting", async () => {
    const proxy = await h.startProxy();
    await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const started = Date.now();
    proxy.process.signal("SIGTERM");
    const status = await proxy.process.waitForExit(10_000);
    const elapsed = Date.now() - started;
    assert.equal(describeStatus(status), "code 0", proxy.logs());
    assert.ok(elapsed < STOP_LIMIT_MS, `proxy took ${elapsed} ms to stop\n${proxy.logs()}`);
  });

  it("stops the client with exit code 0 within a second or two while it long-polls", async () => {
    const proxy = await h.startProxy();
    const client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    const started = Date.now();
    client.process.signal("SIGTERM");
    const status = await client.process.waitForExit(10_000);
    const elapsed = Date.now() - started;
    assert.equal(describeStatus(status), "code 0", client.logs());
    assert.ok(elapsed < STOP_LIMIT_MS, `client took ${elapsed} ms to stop\n${client.logs()}`);
  });
});
