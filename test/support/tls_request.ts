/**
 * One HTTPS request from a test to a TLS proxy, with the test's own CA and optionally a client
 * certificate: node:https, because fetch() takes no CA in Deno without extra permissions and APIs.
 * @module
 */
import https from "node:https";
import { readFileSync } from "node:fs";

export interface TlsRequest {
  readonly port: number;
  /** `/clients`, or an absolute URL for a scrape through the proxy (`http://host:9100/metrics`). */
  readonly target: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly caFile: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly timeoutMs?: number;
}

export interface TlsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends the request and collects the whole answer; rejects on a TLS or connection failure or timeout. */
export function tlsRequest(request: TlsRequest): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port: request.port,
      path: request.target,
      method: request.method ?? "GET",
      headers: request.headers,
      ca: readFileSync(request.caFile, "utf8"),
      cert: request.certFile === undefined ? undefined : readFileSync(request.certFile, "utf8"),
      key: request.keyFile === undefined ? undefined : readFileSync(request.keyFile, "utf8"),
      agent: false,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => body += chunk);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.setTimeout(
      request.timeoutMs ?? 10_000,
      () => req.destroy(new Error(`no answer to ${request.target}`)),
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

/** `Basic ...` for a user and password. */
export function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}
