/**
 * The load generator, run as a helper process so its CPU is neither the proxy's nor the benchmark's:
 * `connections` keep-alive connections, each sending one scrape after another, like `wrk`. Connection `i`
 * scrapes urls `i`, `i + connections`, ... in turn. Commands: `start`; `mark` (counts and latencies since the
 * previous mark, then resets them); `stop`. It stops by itself after `--max-seconds`.
 *
 * Usage: load_gen.ts --via=127.0.0.1:8080 --urls=http://127.0.0.2:9000/bytes/1024,... --connections=50
 * (without `--via` it scrapes the targets directly)
 * @module
 */
import { parseArgs } from "node:util";
import { serveRpc } from "./helper_rpc.ts";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";

/** What `mark` answers. */
export interface LoadMark {
  /** Seconds since the previous mark (or start). */
  readonly seconds: number;
  readonly ok: number;
  readonly errors: number;
  /** The first few error messages since the previous mark. */
  readonly errorSamples: readonly string[];
  /** Latency of every successful scrape since the previous mark, ms. */
  readonly latenciesMs: readonly number[];
  /** Response body bytes received since the previous mark. */
  readonly bodyBytes: number;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      via: { type: "string" },
      urls: { type: "string" },
      connections: { type: "string", default: "50" },
      "timeout-seconds": { type: "string", default: "10" },
      "expect-bytes": { type: "string" },
      gzip: { type: "boolean", default: false },
      "max-seconds": { type: "string", default: "900" },
    },
  });
  const urls = (values.urls ?? "").split(",").filter((url) => url !== "");
  if (urls.length === 0) throw new TypeError("load_gen needs --urls");
  const count = Number(values.connections);
  const timeoutSeconds = Number(values["timeout-seconds"]);
  const expectBytes = values["expect-bytes"] === undefined ? undefined : Number(values["expect-bytes"]);
  const [host, port] = (values.via ?? "").split(":");
  const heads = urls.map((url) =>
    scrapeHead({ url, gzip: values.gzip, timeoutSeconds }, values.via !== undefined)
  );
  const connect = (url: string) => {
    const target = new URL(url);
    return values.via !== undefined
      ? new KeepAliveConnection(host!, Number(port))
      : new KeepAliveConnection(target.hostname, Number(target.port));
  };

  let running = false;
  let since = performance.now();
  let ok = 0;
  let errors = 0;
  let bodyBytes = 0;
  let errorSamples: string[] = [];
  let latencies: number[] = [];
  const loops: Promise<void>[] = [];

  async function loop(index: number): Promise<void> {
    const connection = connect(urls[index % urls.length]!);
    for (let k = 0; running; k++) {
      const head = heads[(index + k * count) % heads.length]!;
      const started = performance.now();
      try {
        const response = await connection.request(head, (timeoutSeconds + 5) * 1000);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        if (expectBytes !== undefined && response.bodyBytes !== expectBytes) {
          throw new Error(`body of ${response.bodyBytes} bytes, expected ${expectBytes}`);
        }
        latencies.push(performance.now() - started);
        bodyBytes += response.bodyBytes;
        ok++;
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push((error as Error).message);
        // A refused or reset connection fails at once; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    connection.close();
  }

  const stop = async () => {
    running = false;
    await Promise.all(loops.splice(0));
    return null;
  };
  const limit = setTimeout(() => void stop(), Number(values["max-seconds"]) * 1000);
  serveRpc({ connections: count }, {
    start: () => {
      if (running) return null;
      running = true;
      since = performance.now();
      for (let i = 0; i < count; i++) loops.push(loop(i));
      return null;
    },
    mark: (): LoadMark => {
      const now = performance.now();
      const mark = {
        seconds: (now - since) / 1000,
        ok,
        errors,
        errorSamples,
        latenciesMs: latencies,
        bodyBytes,
      };
      since = now;
      ok = errors = bodyBytes = 0;
      errorSamples = [];
      latencies = [];
      return mark;
    },
    stop,
  }, () => clearTimeout(limit));
}

if (import.meta.main) main();
