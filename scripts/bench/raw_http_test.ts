import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { KeepAliveConnection, scrapeHead } from "./raw_http.ts";

describe("raw_http", () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} timeout=${req.headers["x-prometheus-scrape-timeout-seconds"]}`);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("x".repeat(3000));
  });
  const listening = new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
  );
  after(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    })
  );

  it("scrapeHead() writes an absolute-form request line for the proxy and origin-form for the target", () => {
    const spec = { url: "http://127.0.0.2:9100/metrics?a=1", gzip: true, timeoutSeconds: 10 };
    assert.match(
      scrapeHead(spec, true),
      /^GET http:\/\/127\.0\.0\.2:9100\/metrics\?a=1 HTTP\/1\.1\r\nHost: 127\.0\.0\.2:9100\r\n/,
    );
    assert.match(scrapeHead(spec, false), /^GET \/metrics\?a=1 HTTP\/1\.1\r\n/);
    assert.match(
      scrapeHead(spec, false),
      /\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n$/,
    );
  });

  it("KeepAliveConnection.request() sends requests as written and reuses one connection", async () => {
    const port = await listening;
    const connection = new KeepAliveConnection("127.0.0.1", port);
    try {
      const head = scrapeHead({ url: "http://127.0.0.9:1234/metrics", timeoutSeconds: 5 }, true);
      const first = await connection.request(head, 5000);
      const second = await connection.request(head, 5000);
      assert.equal(first.status, 200);
      assert.equal(second.bodyBytes, 3000);
      assert.equal(connection.connects, 1);
      assert.deepEqual(seen.slice(-2), Array(2).fill("GET http://127.0.0.9:1234/metrics timeout=5"));
    } finally {
      connection.close();
    }
  });

  it("KeepAliveConnection.request() fails with the address when nothing listens", async () => {
    const connection = new KeepAliveConnection("127.0.0.1", 1);
    await assert.rejects(connection.request("GET / HTTP/1.1\r\n\r\n", 2000), /ECONNREFUSED/);
  });
});
