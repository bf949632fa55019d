/**
 * Starting our proxy and client as real processes, in whichever form `PUSHPROX_IMPL` asks for:
 * `deno` (default: `deno run -A src/main_*.ts`), `bun` (`bun src/main_*.ts`) or `binary`
 * (`$PUSHPROX_BIN_DIR/proxy`, default `dist/linux-x64`). The same tests then cover all three.
 * @module
 */
import { accessSync, constants } from "node:fs";
import { isAbsolute, join } from "node:path";
import process from "node:process";
import { REPO_ROOT, repoPath } from "./paths.ts";
import { freePort, waitForPort } from "./ports.ts";
import type { ExitStatus, ManagedProcess, ProcessSet } from "./process.ts";
import { GiveUp, waitFor } from "./wait.ts";

/** The ways our programs can be run. */
export type Implementation = "deno" | "bun" | "binary";

/** The two programs. */
export type Program = "proxy" | "client";

const IMPLEMENTATIONS: readonly Implementation[] = ["deno", "bun", "binary"];

/** The implementation chosen by `PUSHPROX_IMPL` (default `deno`); throws TypeError on anything else. */
export function selectedImplementation(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Implementation {
  const value = env.PUSHPROX_IMPL ?? "deno";
  if ((IMPLEMENTATIONS as readonly string[]).includes(value)) return value as Implementation;
  throw new TypeError(`Cannot use PUSHPROX_IMPL="${value}": expected one of ${IMPLEMENTATIONS.join(", ")}`);
}

/** Command and leading arguments that run `program` under `impl`; throws if its file does not exist. */
export function programCommand(
  program: Program,
  impl: Implementation = selectedImplementation(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): { command: string; args: string[] } {
  if (impl === "binary") {
    const dir = env.PUSHPROX_BIN_DIR ?? "dist/linux-x64";
    const binary = join(isAbsolute(dir) ? dir : repoPath(dir), program);
    mustBeExecutable(binary, `build it first: deno run -A scripts/build.ts --host (PUSHPROX_IMPL=binary)`);
    return { command: binary, args: [] };
  }
  const entry = `src/main_${program}.ts`;
  mustBeExecutable(repoPath(entry), "it is the program under test", constants.R_OK);
  const runtime = repoPath(`node_modules/.bin/${impl}`);
  mustBeExecutable(runtime, "run npm ci");
  return impl === "deno"
    ? { command: runtime, args: ["run", "-A", entry] }
    : { command: runtime, args: [entry] };
}

function mustBeExecutable(path: string, hint: string, mode = constants.X_OK): void {
  try {
    accessSync(path, mode);
  } catch {
    throw new Error(
      `${path} is missing or not ${mode === constants.X_OK ? "executable" : "readable"} (${hint})`,
    );
  }
}

/** A started proxy or client. */
export interface PushProxHandle {
  readonly process: ManagedProcess;
  /** Proxy: its listen port. Client: its metrics port, or null when metrics are disabled. */
  readonly port: number | null;
  /** Captured output, for failure messages. */
  logs(): string;
  /** SIGTERM, SIGKILL after a grace period. */
  stop(): Promise<ExitStatus>;
  /** SIGKILL at once. */
  kill9(): Promise<ExitStatus>;
}

/** A started proxy. */
export interface ProxyHandle extends PushProxHandle {
  readonly port: number;
  /** `http://127.0.0.1:<port>/`, what clients get as `--proxy-url` and Prometheus as `proxy_url`. */
  readonly url: string;
}

/** A started client. */
export interface ClientHandle extends PushProxHandle {
  /** The FQDN the client polls for, when given with `--fqdn`. */
  readonly fqdn: string | undefined;
}

function handle(child: ManagedProcess, port: number | null): PushProxHandle {
  return {
    process: child,
    port,
    logs: () => child.logs(),
    stop: () => child.stop(),
    kill9: () => child.kill9(),
  };
}

/** The value of `--name=value` or `--name value` in `flags`, if present. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (flag.startsWith(`--${name}=`)) return flag.slice(name.length + 3);
    if (flag === `--${name}`) return flags[i + 1];
  }
  return undefined;
}

/** Options for {@link startProxy}. */
export interface StartProxyOptions {
  /**
   * Listen on this 127.0.0.1 port rather than a free one: to start a proxy again where its clients
   * expect it (`{ port: old.port }` after `old.stop()`). Cannot be combined with `--web.listen-address`.
   */
  readonly port?: number;
  /** Run the proxy under this soft limit on open files (`ulimit -n`), to test what it does at the limit. */
  readonly openFileLimit?: number;
  /** Extra environment variables for the proxy process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a proxy listening on a free 127.0.0.1 port (unless `flags` set `--web.listen-address` or
 * `options.port` names one) and waits until it accepts connections.
 *
 * @example
 * ```ts
 * const first = await startProxy(procs);
 * await first.stop();
 * const second = await startProxy(procs, [], { port: first.port }); // the clients' --proxy-url still works
 * ```
 */
export async function startProxy(
  procs: ProcessSet,
  flags: readonly string[] = [],
  options: StartProxyOptions = {},
): Promise<ProxyHandle> {
  const { command, args } = programCommand("proxy");
  const given = flagValue(flags, "web.listen-address");
  if (given !== undefined && options.port !== undefined) {
    throw new TypeError(
      `Cannot start a proxy on port ${options.port} and with --web.listen-address=${given}: give one of them`,
    );
  }
  const port = given !== undefined
    ? Number(given.slice(given.lastIndexOf(":") + 1))
    : options.port ?? await freePort();
  const listen = given === undefined ? [`--web.listen-address=127.0.0.1:${port}`] : [];
  const argv = [...args, ...listen, ...flags];
  // `exec` keeps the process id: the shell becomes the proxy, under the lowered limit.
  const limited = options.openFileLimit === undefined ? { command, args: argv } : {
    command: "sh",
    args: ["-c", `ulimit -n ${options.openFileLimit} && exec "$0" "$@"`, command, ...argv],
  };
  const child = procs.spawn({
    name: `proxy (${selectedImplementation()})`,
    ...limited,
    cwd: REPO_ROOT,
    env: options.env,
  });
  await waitForPort(port, {
    what: child.name,
    abortReason: () => child.deathReason(),
    details: () => child.logs(),
  });
  return { ...handle(child, port), port, url: `http://127.0.0.1:${port}/` };
}

/** Options for {@link startClient}. */
export interface StartClientOptions {
  /**
   * "registered" (default) waits until the proxy's /clients lists the client's FQDN; "started" returns
   * right after spawning (for a fake proxy, or a client expected to fail).
   */
  readonly waitFor?: "registered" | "started";
  readonly timeoutMs?: number;
  /** Extra environment variables for the client process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a client. `flags` must hold `--proxy-url`; unless they set `--metrics-addr`, the client's metrics
 * go to a free 127.0.0.1 port (never the default :9369, which parallel runs would fight over).
 */
export async function startClient(
  procs: ProcessSet,
  flags: readonly string[],
  options: StartClientOptions = {},
): Promise<ClientHandle> {
  const { command, args } = programCommand("client");
  const proxyUrl = flagValue(flags, "proxy-url");
  const fqdn = flagValue(flags, "fqdn");
  const metrics = flagValue(flags, "metrics-addr");
  const port = metrics === undefined
    ? await freePort()
    : metrics === ""
    ? null
    : Number(metrics.split(":").pop());
  const metricsFlag = metrics === undefined ? [`--metrics-addr=127.0.0.1:${port}`] : [];
  const child = procs.spawn({
    name: `client ${fqdn ?? ""} (${selectedImplementation()})`,
    command,
    args: [...args, ...metricsFlag, ...flags],
    cwd: REPO_ROOT,
    env: options.env,
  });
  if ((options.waitFor ?? "registered") === "registered") {
    if (proxyUrl === undefined) {
      throw new TypeError("startClient() needs --proxy-url to wait for registration");
    }
    await waitFor(async () => {
      const reason = child.deathReason();
      if (reason !== undefined) throw new GiveUp(reason);
      const targets = await listedClients(proxyUrl);
      return fqdn === undefined ? targets.length > 0 : targets.includes(fqdn);
    }, {
      timeoutMs: options.timeoutMs ?? 15_000,
      what: `${child.name} to appear in ${proxyUrl}clients`,
      details: () => child.logs(),
    });
  }
  return { ...handle(child, port), fqdn };
}

/** The FQDNs a proxy's `/clients` lists. */
export async function listedClients(proxyUrl: string): Promise<string[]> {
  const response = await fetch(new URL("clients", proxyUrl.endsWith("/") ? proxyUrl : `${proxyUrl}/`));
  const groups = (await response.json()) as Array<{ targets?: string[] }>;
  return groups.flatMap((group) => group.targets ?? []);
}

/** Output of a program that ran to completion. */
export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
  /** Time from spawn to exit, in ms. */
  readonly elapsedMs: number;
  /** Command line and output, for failure messages. */
  readonly logs: string;
}

/** Runs a program with `args` (no flags added) and waits for it to exit, killing it after `timeoutMs`. */
export async function runProgram(
  procs: ProcessSet,
  program: Program,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<RunResult> {
  const { command, args: lead } = programCommand(program);
  const started = Date.now();
  const child = procs.spawn({
    name: `${program} (${selectedImplementation()})`,
    command,
    args: [...lead, ...args],
    cwd: REPO_ROOT,
  });
  const status = await child.waitForExit(timeoutMs).catch(async (error: unknown) => {
    await child.kill9();
    throw error;
  });
  return {
    ...status,
    stdout: child.stdout,
    stderr: child.stderr,
    elapsedMs: Date.now() - started,
    logs: child.logs(),
  };
}
