import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createProxyApp } from "./app.ts";
import { gateProxyApp } from "./access_gate.ts";
import { Coordinator } from "./coordinator.ts";
import { registerProxyMetrics } from "./metrics.ts";
import { systemClock } from "../time/clock.ts";
import { Registry } from "../metrics/registry.ts";
import { createLogger } from "../log/logger.ts";
import { AccessControl } from "./auth/access.ts";
import { PasswordCheck } from "./auth/password_check.ts";
import type { AccessSettings } from "./web_config/load.ts";

const settings: AccessSettings = {
  users: new Map([["prometheus", "prom-pw"], ["web", "web-pw"]]),
  scrapers: new Set(["prometheus"]),
  clients: new Map([["web", ["web1.example.com"]]]),
  certificateNames: true,
};

function setup(withAccess: boolean) {
  const logs: string[] = [];
  const coordinator = new Coordinator({
    timers: systemClock,
    newId: () => crypto.randomUUID(),
    registrationTimeoutMs: 300_000,
    disconnectGraceMs: 1000,
  });
  const registry = new Registry();
  const metrics = registerProxyMetrics(registry, coordinator);
  const logger = createLogger({ level: "info", format: "logfmt", write: (line) => logs.push(line) });
  const app = createProxyApp({
    coordinator,
    registry,
    metrics,
    logger,
    timers: systemClock,
    scrapeDefaultTimeoutMs: 15_000,
    scrapeMaxTimeoutMs: 300_000,
    pollIdleTimeoutMs: 25_000,
    maxBodyBytes: 0,
    maxHeaderBytes: 64 * 1024,
  });
  const passwords = new PasswordCheck(settings.users, {
    compare: (pw, hash) => Promise.resolve(pw === hash),
  });
  const access = withAccess ? new AccessControl({ settings, clientAuth: "NoClientCert", passwords }) : null;
  const handler = gateProxyApp(app, { access, headers: [["X-Frame-Options", "DENY"]], logger, metrics });
  const direct = (path: string, init?: RequestInit) =>
    handler(new Request(`https://proxy.local${path}`, init), {
      absoluteForm: false,
      remoteAddress: "10.1.1.1",
    });
  return { direct, logs, registry, close: () => coordinator.close() };
}

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

describe("gateProxyApp()", () => {
  it("gateProxyApp() adds the configured headers to every response, refusals included", async () => {
    const { direct, close } = setup(true);
    const refused = await direct("/metrics");
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("x-frame-options"), "DENY");
    const allowed = await direct("/metrics", { headers: { authorization: basic("prometheus", "prom-pw") } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("x-frame-options"), "DENY");
    close();
  });

  it("gateProxyApp() logs each refusal with status, reason, principal and peer", async () => {
    const { direct, logs, close } = setup(true);
    const answer = await direct("/poll", {
      method: "POST",
      body: "web1.example.com",
      headers: { authorization: basic("prometheus", "prom-pw") },
    });
    assert.equal(answer.status, 403);
    assert.match(
      logs.join("\n"),
      /msg="Access denied" status=403 reason=.*not a client.* principal=.*prometheus.* path=\/poll remote=10\.1\.1\.1/,
    );
    close();
  });

  it("gateProxyApp() gives an encoded spelling of /poll the client check too", async () => {
    const { direct, close } = setup(true);
    const answer = await direct("/p%6Fll", {
      method: "POST",
      body: "web1.example.com",
      headers: { authorization: basic("prometheus", "prom-pw") },
    });
    assert.equal(answer.status, 403);
    assert.match(await answer.text(), /not a client/);
    close();
  });

  it("gateProxyApp() refuses a client user a name outside its patterns with 403 naming both", async () => {
    const { direct, close } = setup(true);
    const answer = await direct("/poll", {
      method: "POST",
      body: "db1.example.com",
      headers: { authorization: basic("web", "web-pw") },
    });
    assert.equal(answer.status, 403);
    assert.equal(await answer.text(), 'user "web" may not register "db1.example.com"\n');
    close();
  });

  it("gateProxyApp() without access control only adds headers: pages stay open", async () => {
    const { direct, close } = setup(false);
    const answer = await direct("/clients");
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("x-frame-options"), "DENY");
    close();
  });
});
