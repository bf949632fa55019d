/**
 * The programs under test and how to start them. Only upstream's flags are used (`--web.listen-address`,
 * `--proxy-url`, `--fqdn`, `--metrics-addr`), so the same code measures our build and upstream's Go
 * binaries. Everything listens on 127.0.0.0/8 only.
 * @module
 */
import https from "node:https";
import { acceptsConnections, freePort } from "../../test/support/ports.ts";
import { sleep } from "../../test/support/wait.ts";
import type { Child, ChildSet } from "./children.ts";

/** One implementation of PushProx: a proxy binary and a client binary taking upstream's flags. */
export interface Implementation {
  /** "ours" or "compare", used as a key in the JSON. */
  readonly label: string;
  readonly proxyBin: string;
  readonly clientBin: string;
}

/** What every benchmark section gets. */
export interface Lab {
  readonly impl: Implementation;
  /** Port of the static target, listening on 127.0.0.1 ... 127.0.0.51. */
  readonly targetPort: number;
  /** Port of node exporter on 127.0.0.1, or null when it is not installed. */
  readonly nodeExporterPort: number | null;
  /** wrk, for the throughput section's load; null to use our own load generator. */
  readonly wrk: string | null;
  /** Tiny sizes and counts, for the smoke test. */
  readonly quick: boolean;
  /** Progress lines for the person waiting. */
  readonly log: (message: string) => void;
}

/** A started proxy. */
export interface RunningProxy {
  readonly child: Child;
  readonly port: number;
  /** How to reach a proxy started with a web config file (TLS and basic auth); undefined for plain HTTP. */
  readonly secure?: ProxyAccess;
}

/** TLS and credentials for a proxy with a web config file. */
export interface ProxyAccess {
  /** CA (PEM) the proxy's certificate is verified against. */
  readonly ca: string;
  /** `Basic ...` of a scraper: `Authorization` for pages, `Proxy-Authorization` for scrapes. */
  readonly scraperAuthorization: string;
}

/** The address a simulated host `n` (1-based) scrapes: 127.0.0.2, 127.0.0.3, ... */
export function hostAddress(n: number): string {
  if (!(n >= 1 && n <= 250)) throw new RangeError(`Cannot name host ${n}: expected 1..250`);
  return `127.0.0.${n + 1}`;
}

/**
 * Waits until 127.0.0.1:`port` accepts a connection, trying every `intervalMs`; fails at once when `child`
 * exits and after `timeoutMs`.
 */
export async function waitForListen(
  port: number,
  child: Child,
  timeoutMs = 15_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await acceptsConnections(port))) {
    if (!child.running) {
      throw new Error(`${child.name} exited before listening on ${port}:\n${child.describe()}`);
    }
    if (performance.now() > deadline) {
      throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs} ms:\n${child.describe()}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Starts the proxy on a free loopback port and waits until it listens; `secure` adds its web config file
 * (`--web.config.file`, ours only) and says how to reach it.
 */
export async function startProxy(
  children: ChildSet,
  impl: Implementation,
  secure?: { readonly webConfigFile: string; readonly access: ProxyAccess },
): Promise<RunningProxy> {
  const port = await freePort();
  const extra = secure === undefined ? [] : [`--web.config.file=${secure.webConfigFile}`];
  const child = children.spawn({
    name: `${impl.label} proxy :${port}`,
    command: impl.proxyBin,
    args: [`--web.listen-address=127.0.0.1:${port}`, ...extra],
  });
  await waitForListen(port, child);
  return { child, port, secure: secure?.access };
}

/**
 * Starts a client for `fqdn` polling `proxyUrl`. Its metrics listener gets its own loopback port:
 * upstream's client has no way to turn it off, and an empty address would make it bind port 80 on
 * every interface.
 */
export async function startClient(
  children: ChildSet,
  impl: Implementation,
  proxyUrl: string,
  fqdn: string,
  extraArgs: readonly string[] = [],
): Promise<Child> {
  const metricsPort = await freePort();
  return children.spawn({
    name: `${impl.label} client ${fqdn}`,
    command: impl.clientBin,
    args: [
      `--proxy-url=${proxyUrl}`,
      `--fqdn=${fqdn}`,
      `--metrics-addr=127.0.0.1:${metricsPort}`,
      ...extraArgs,
    ],
  });
}

/** The FQDNs `GET /clients` lists. */
export async function listClients(proxyPort: number, secure?: ProxyAccess): Promise<string[]> {
  const text = secure === undefined
    ? await plainGet(`http://127.0.0.1:${proxyPort}/clients`)
    : await tlsGet(proxyPort, "/clients", secure);
  const body = JSON.parse(text) as Array<{ targets: string[] }>;
  return body.flatMap((entry) => entry.targets);
}

async function plainGet(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return await response.text();
}

/** node:https, since fetch() takes no CA of ours on every runtime. */
function tlsGet(port: number, path: string, secure: ProxyAccess): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get({
      host: "127.0.0.1",
      port,
      path,
      ca: secure.ca,
      headers: { authorization: secure.scraperAuthorization },
      agent: false,
    }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => text += chunk);
      response.on(
        "end",
        () =>
          response.statusCode === 200
            ? resolve(text)
            : reject(new Error(`GET https://127.0.0.1:${port}${path} answered ${response.statusCode}`)),
      );
    });
    request.on("error", reject);
  });
}

/**
 * Waits until `/clients` lists at least `count` clients (and every name in `names`), polling every
 * `intervalMs`. The proxy's process is checked so a crash fails at once.
 */
export async function waitForClients(
  proxy: RunningProxy,
  wanted: { count?: number; names?: readonly string[] },
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen: string[] = [];
  for (;;) {
    if (!proxy.child.running) throw new Error(`The proxy exited:\n${proxy.child.describe()}`);
    try {
      seen = await listClients(proxy.port, proxy.secure);
      const listed = new Set(seen);
      if (seen.length >= (wanted.count ?? 0) && (wanted.names ?? []).every((name) => listed.has(name))) {
        return;
      }
    } catch {
      // Not answering yet: try again until the deadline.
    }
    if (performance.now() > deadline) {
      throw new Error(
        `/clients listed ${seen.length} clients after ${timeoutMs} ms, wanted ${
          JSON.stringify(wanted).slice(0, 200)
        }`,
      );
    }
    await sleep(intervalMs);
  }
}
