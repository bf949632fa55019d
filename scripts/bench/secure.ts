/**
 * The secure section: what TLS and basic auth (`--web.config.file`) cost. A plain proxy and a proxy with
 * TLS, scraper and client credentials run side by side, each with a client for the same target:
 * - latency: 1 KiB scrapes through the two alternate (the order flips every pair), and the figure is the
 *   per-pair difference, secure minus plain, over kept-alive connections (as Prometheus keeps them);
 * - throughput: 50 clients and wrk (over TLS, with `Proxy-Authorization`) against each proxy in turn
 *   (skipped with `--load-gen=ours`, which speaks no TLS).
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { makeCa, makeLeaf } from "../../src/http/testing/certificates.ts";
import type { ChildSet } from "./children.ts";
import { type Lab, type ProxyAccess, startClient, startProxy, waitForClients } from "./lab.ts";
import { roundSummary } from "./latency.ts";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";
import { round, summarize, type Summary } from "./stats.ts";
import { type SecureSetup, type ThroughputResult, throughputSection } from "./throughput.ts";

export interface SecureResult {
  readonly latency: {
    readonly pairs: number;
    readonly plainMs: Summary;
    readonly secureMs: Summary;
    /** secure - plain, per pair. */
    readonly addedMs: Summary;
  };
  /** Null without wrk: our own load generator speaks no TLS. */
  readonly throughput: {
    readonly plain: ThroughputResult;
    readonly secure: ThroughputResult;
    /** secure / plain scrapes per second, after >= 40 s of load (the first window when quick). */
    readonly ratio: number;
  } | null;
}

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

/** Certificates, bcrypt hashes (cost 10, as htpasswd -B makes them) and the web config file, in `dir`. */
function makeSetup(dir: string): SecureSetup {
  const ca = makeCa(dir, "bench-ca");
  const server = makeLeaf(dir, ca, "bench-proxy", ["IP:127.0.0.1"]);
  const passwords = { prometheus: crypto.randomUUID(), bench: crypto.randomUUID() };
  const webConfigFile = join(dir, "web.yml");
  writeFileSync(
    webConfigFile,
    `tls_server_config:
  cert_file: ${server.certFile}
  key_file: ${server.keyFile}
basic_auth_users:
  prometheus: ${bcrypt.hashSync(passwords.prometheus, 10)}
  bench: ${bcrypt.hashSync(passwords.bench, 10)}
pushprox:
  clients:
    bench: ["*"]
`,
  );
  const access: ProxyAccess = {
    ca: readFileSync(ca.certFile, "utf8"),
    scraperAuthorization: basic("prometheus", passwords.prometheus),
  };
  return {
    webConfigFile,
    access,
    clientUserInfo: `bench:${passwords.bench}`,
    clientArgs: [`--tls.cacert=${ca.certFile}`],
  };
}

/** The section; needs wrk for the throughput half. */
export async function secureSection(lab: Lab, children: ChildSet, targetPid: number): Promise<SecureResult> {
  const dir = mkdtempSync(join(tmpdir(), "pushprox-bench-secure-"));
  try {
    const setup = makeSetup(dir);
    lab.log("secure: latency, plain against TLS + basic auth");
    const latency = await children.scope((scoped) => pairedLatency(lab, scoped, setup));
    if (lab.wrk === null) {
      lab.log("secure: no throughput half without wrk (our load generator speaks no TLS)");
      return { latency, throughput: null };
    }
    lab.log("secure: throughput without TLS and auth");
    const sizes: Array<[string, number]> = [["1KiB", 1024]];
    const plain = (await throughputSection(lab, children, targetPid, { sizes }))["1KiB"]!;
    lab.log("secure: throughput with TLS and basic auth");
    const secure = (await throughputSection(lab, children, targetPid, { sizes, secure: setup }))["1KiB"]!;
    const rate = (r: ThroughputResult) => (r.warm ?? r).scrapesPerSecond;
    return { latency, throughput: { plain, secure, ratio: round(rate(secure) / rate(plain)) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pairedLatency(
  lab: Lab,
  children: ChildSet,
  setup: SecureSetup,
): Promise<SecureResult["latency"]> {
  const plainProxy = await startProxy(children, lab.impl);
  const secureProxy = await startProxy(children, lab.impl, setup);
  await startClient(children, lab.impl, `http://127.0.0.1:${plainProxy.port}/`, "127.0.0.1");
  await startClient(
    children,
    lab.impl,
    `https://${setup.clientUserInfo}@127.0.0.1:${secureProxy.port}/`,
    "127.0.0.1",
    setup.clientArgs,
  );
  await waitForClients(plainProxy, { names: ["127.0.0.1"] });
  await waitForClients(secureProxy, { names: ["127.0.0.1"] });
  const url = `http://127.0.0.1:${lab.targetPort}/bytes/1024`;
  const pairs = lab.quick ? 10 : 1000;
  const warmup = lab.quick ? 2 : 100;
  const plain = new KeepAliveConnection("127.0.0.1", plainProxy.port);
  const secure = new KeepAliveConnection("127.0.0.1", secureProxy.port, setup.access.ca);
  const plainHead = scrapeHead({ url, timeoutSeconds: 10 }, true);
  const secureHead = scrapeHead({
    url,
    timeoutSeconds: 10,
    proxyAuthorization: setup.access.scraperAuthorization,
  }, true);
  const timed = async (connection: KeepAliveConnection, head: string, what: string) => {
    const started = performance.now();
    const response = await connection.request(head, 15_000);
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${what} scrape of ${url} answered ${response.status}`);
    return elapsed;
  };
  const plainMs: number[] = [];
  const secureMs: number[] = [];
  const addedMs: number[] = [];
  try {
    for (let i = 0; i < warmup + pairs; i++) {
      let p: number;
      let s: number;
      if (i % 2 === 0) {
        p = await timed(plain, plainHead, "plain");
        s = await timed(secure, secureHead, "TLS + auth");
      } else {
        s = await timed(secure, secureHead, "TLS + auth");
        p = await timed(plain, plainHead, "plain");
      }
      if (i < warmup) continue;
      plainMs.push(p);
      secureMs.push(s);
      addedMs.push(s - p);
    }
  } finally {
    plain.close();
    secure.close();
  }
  return {
    pairs,
    plainMs: roundSummary(summarize(plainMs)),
    secureMs: roundSummary(summarize(secureMs)),
    addedMs: roundSummary(summarize(addedMs)),
  };
}
