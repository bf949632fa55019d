/**
 * A tiny scrape target on a free loopback port that answers every request with a fixed body and records
 * what it was asked, so tests can check both what reached the target and what came back.
 * @module
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { Buffer } from "node:buffer";
import type { ProcessSet } from "./process.ts";

/** One request the target received. */
export interface TargetRequest {
  readonly method: string;
  /** Request target as sent, e.g. `/metrics`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running static target. */
export interface StaticTarget {
  readonly port: number;
  /** Every request received so far, oldest first. */
  readonly requests: readonly TargetRequest[];
  /** The body it serves. */
  readonly body: string;
}

/** Options for {@link startStaticTarget}. */
export interface StaticTargetOptions {
  readonly body?: string;
  readonly contentType?: string;
}

/** A body that looks like what Prometheus scrapes and is unique enough to recognise. */
export const DEFAULT_TARGET_BODY = "# HELP pushprox_test_metric A metric served by the test harness.\n" +
  "# TYPE pushprox_test_metric gauge\n" +
  'pushprox_test_metric{source="static_target"} 42\n';

/** Starts a target that `procs.cleanup()` closes. */
export async function startStaticTarget(
  procs: ProcessSet,
  options: StaticTargetOptions = {},
): Promise<StaticTarget> {
  const body = options.body ?? DEFAULT_TARGET_BODY;
  const requests: TargetRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    // Read and drop any request body, then answer.
    request.resume();
    request.on("end", () => {
      response.writeHead(200, {
        "Content-Type": options.contentType ?? "text/plain; version=0.0.4; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(body)),
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  procs.defer(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })
  );
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { port, requests, body };
}
