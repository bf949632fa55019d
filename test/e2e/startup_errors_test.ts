/**
 * What an operator reads when a program cannot start: a busy port names the address and the flag that
 * chose it, in the same words on every runtime, and the program exits 1; an unreadable TLS file names
 * the flag and the path.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { selectedImplementation } from "../support/pushprox.ts";

/** A port held open by this test, as another program would hold it. */
function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

describe(`start-up errors (${selectedImplementation()})`, () => {
  const h = new Harness();
  let busy: { server: Server; port: number };
  before(async () => {
    busy = await occupy();
  });
  after(async () => {
    busy.server.close();
    await h.cleanup();
  });

  it("proxy: a port in use names the address and --web.listen-address, one line, exit 1", async () => {
    const result = await h.run("proxy", [`--web.listen-address=127.0.0.1:${busy.port}`]);
    assert.equal(result.code, 1, result.logs);
    assert.ok(
      result.stderr.includes(
        `Cannot listen on 127.0.0.1:${busy.port} (--web.listen-address): address already in use`,
      ),
      result.logs,
    );
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.logs);
  });

  it("client: a metrics port in use names the address and --metrics-addr, exit 1", async () => {
    const result = await h.run("client", [
      "--proxy-url=http://127.0.0.1:1/",
      "--fqdn=127.0.0.1",
      `--metrics-addr=127.0.0.1:${busy.port}`,
    ]);
    assert.equal(result.code, 1, result.logs);
    assert.ok(
      result.stderr.includes(
        `Cannot listen on 127.0.0.1:${busy.port} (--metrics-addr): address already in use`,
      ),
      result.logs,
    );
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.logs);
  });

  it("client: an unreadable --tls.cacert names the flag and the path", async () => {
    const result = await h.run("client", [
      "--proxy-url=https://127.0.0.1:1/",
      "--fqdn=127.0.0.1",
      "--metrics-addr=",
      "--tls.cacert=/nonexistent/ca.pem",
    ]);
    assert.notEqual(result.code, 0, result.logs);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.logs);
    assert.match(lines[0]!, /--tls\.cacert file "\/nonexistent\/ca\.pem"/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  });
});
