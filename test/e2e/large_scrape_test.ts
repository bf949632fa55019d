/**
 * Large scrapes through a real proxy and client: 100 MiB arrives intact, and neither process' peak memory
 * rises by more than 40 MB while it passes (upstream buffered whole bodies in both). The scrape is read
 * from a raw socket that counts and hashes the body as it streams, so the test holds no 100 MiB either.
 * A target larger than the client's `--scrape.max-body-size` ends with an error that names the limit.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { Harness } from "../support/harness.ts";
import { bodyText, statusOf } from "../support/http_message.ts";
import { type MemoryStatus, readMemory, resetPeak } from "../support/memory.ts";
import { absoluteFormGet, rawExchange } from "../support/raw_http.ts";
import { type ClientHandle, type ProxyHandle, selectedImplementation } from "../support/pushprox.ts";
import type { StaticTarget } from "../support/static_target.ts";

const MiB = 1024 * 1024;
const LARGE_BYTES = 100 * MiB;
/** The bound: "raises neither process's peak memory by more than 40 MB". */
const MAX_RAISE_BYTES = 40 * 1000 * 1000;

/** How far a process' peak rose above where it stood before the scrape. */
interface Raise {
  readonly before: MemoryStatus;
  readonly after: MemoryStatus;
  readonly raisedBytes: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const describeRaise = (who: string, raise: Raise) =>
  `${who}: VmRSS before ${mb(raise.before.rssBytes)}, VmHWM after ${mb(raise.after.peakBytes)}, ` +
  `raised by ${mb(raise.raisedBytes)} (bound ${mb(MAX_RAISE_BYTES)})`;

/** A response read off the socket without keeping its body: status, body size and digest. */
interface StreamedResponse {
  readonly startLine: string;
  readonly status: number;
  /** Body bytes after framing is removed. */
  readonly size: number;
  readonly sha256: string;
  /** The first bytes of the body, for failure messages. */
  readonly excerpt: string;
}

/**
 * Sends `request` and reads the response as it streams: Content-Length, chunked or until-close framing,
 * the body hashed and counted chunk by chunk. Resolves when the body ends (or the peer closes early: the
 * size then tells), rejects after `timeoutMs`.
 */
function streamResponse(port: number, request: string, timeoutMs: number): Promise<StreamedResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const hash = createHash("sha256");
    let head = Buffer.alloc(0);
    let startLine = "";
    let framing: "length" | "chunked" | "eof" = "eof";
    let remaining = 0; // body bytes left (length) or left in this chunk (chunked)
    let pending = Buffer.alloc(0); // chunked: an incomplete size line or CRLF
    let chunkState: "size" | "data" | "crlf" | "trailer" = "size";
    let size = 0;
    let excerpt = "";
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) return reject(error);
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(startLine)?.[1] ?? NaN);
      resolve({ startLine, status, size, sha256: hash.digest("hex"), excerpt });
    };
    const timer = setTimeout(
      () => finish(new Error(`No whole response within ${timeoutMs} ms (${size} body bytes)`)),
      timeoutMs,
    );
    const take = (data: Buffer) => {
      hash.update(data);
      if (excerpt.length < 300) excerpt += data.subarray(0, 300).toString("latin1");
      size += data.length;
    };
    const body = (data: Buffer): void => {
      if (framing === "eof") return take(data);
      if (framing === "length") {
        take(data.subarray(0, remaining));
        remaining -= Math.min(remaining, data.length);
        if (remaining === 0) finish();
        return;
      }
      let rest = Buffer.concat([pending, data]);
      pending = Buffer.alloc(0);
      while (rest.length > 0) {
        if (chunkState === "data") {
          take(rest.subarray(0, remaining));
          const used = Math.min(remaining, rest.length);
          remaining -= used;
          rest = rest.subarray(used);
          if (remaining === 0) chunkState = "crlf";
          continue;
        }
        const eol = rest.indexOf("\r\n");
        if (eol < 0) return void (pending = Buffer.from(rest));
        const line = rest.subarray(0, eol).toString("latin1");
        rest = rest.subarray(eol + 2);
        if (chunkState === "crlf") chunkState = "size";
        else if (chunkState === "trailer") {
          if (line === "") return finish();
        } else {
          remaining = parseInt(line.split(";")[0]!, 16);
          if (Number.isNaN(remaining)) return finish(new SyntaxError(`Bad chunk size line "${line}"`));
          chunkState = remaining === 0 ? "trailer" : "data";
        }
      }
    };
    socket.on("connect", () => socket.write(request, "latin1"));
    socket.on("data", (data: Buffer) => {
      if (startLine !== "") return body(data);
      head = Buffer.concat([head, data]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      startLine = lines[0]!;
      const header = (name: string) =>
        lines.slice(1).find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1)
          .trim();
      if (/chunked/i.test(header("transfer-encoding") ?? "")) framing = "chunked";
      else if (header("content-length") !== undefined) {
        framing = "length";
        remaining = Number(header("content-length"));
      }
      const rest = head.subarray(end + 4);
      if (framing === "length" && remaining === 0) return finish();
      if (rest.length > 0) body(rest);
    });
    socket.on("error", (error) => finish(startLine === "" ? error : undefined));
    socket.on(
      "close",
      () => finish(startLine === "" ? new Error("Connection closed before a response head") : undefined),
    );
  });
}

describe(`large scrapes (${selectedImplementation()})`, () => {
  const h = new Harness();
  let proxy: ProxyHandle;
  let client: ClientHandle;
  let large: StaticTarget;
  let warmUp: StaticTarget;
  const raised = new Map<"proxy" | "client", Raise>();

  before(async () => {
    proxy = await h.startProxy();
    client = await h.startClient([`--proxy-url=${proxy.url}`, "--fqdn=127.0.0.1"]);
    large = await h.startStaticTarget({ bodyBytes: LARGE_BYTES });
    warmUp = await h.startStaticTarget({ bodyBytes: MiB });
  });
  after(() => h.cleanup());

  const scrape = (target: StaticTarget): Promise<StreamedResponse> =>
    streamResponse(
      proxy.port,
      absoluteFormGet(`http://127.0.0.1:${target.port}/metrics`, [[
        "X-Prometheus-Scrape-Timeout-Seconds",
        "30",
      ]]),
      35_000,
    );

  it("relays a 100 MiB scrape intact: same size and SHA-256 as the target served", async () => {
    // Code paths and connection pools warm first, so the measurement is of the body, not of start-up.
    const first = await scrape(warmUp);
    assert.equal(first.status, 200, `${first.startLine}\n${first.excerpt}`);
    assert.equal(first.sha256, warmUp.sha256, "the 1 MiB warm-up scrape arrived corrupted");

    const pids = { proxy: proxy.process.pid!, client: client.process.pid! };
    for (const pid of Object.values(pids)) resetPeak(pid);
    const before = { proxy: readMemory(pids.proxy), client: readMemory(pids.client) };
    const response = await scrape(large);
    for (const who of ["proxy", "client"] as const) {
      const after = readMemory(pids[who]);
      raised.set(who, { before: before[who], after, raisedBytes: after.peakBytes - before[who].rssBytes });
    }

    assert.equal(response.status, 200, `${response.startLine}\n${response.excerpt}\n${h.logs()}`);
    assert.equal(response.size, large.size, `received ${response.size} of ${large.size} bytes`);
    assert.equal(response.sha256, large.sha256, "the body arrived with the right size but different bytes");
  });

  for (const who of ["proxy", "client"] as const) {
    it(`raises the ${who}'s peak memory by at most 40 MB while the 100 MiB scrape passes`, () => {
      const raise = raised.get(who);
      assert.ok(raise !== undefined, "no measurement: the 100 MiB scrape did not complete");
      assert.ok(raise.raisedBytes <= MAX_RAISE_BYTES, describeRaise(who, raise));
    });
  }

  it("ends a 2 MiB scrape with a one-line error naming the limit when the client allows 1 MiB", async () => {
    const limitedProxy = await h.startProxy();
    await h.startClient([
      `--proxy-url=${limitedProxy.url}`,
      "--fqdn=127.0.0.1",
      "--scrape.max-body-size=1MiB",
    ]);
    const twoMiB = await h.startStaticTarget({ bodyBytes: 2 * MiB });
    const url = `http://127.0.0.1:${twoMiB.port}/metrics`;
    const response = await rawExchange(
      limitedProxy.port,
      absoluteFormGet(url, [["X-Prometheus-Scrape-Timeout-Seconds", "10"]]),
      15_000,
    );
    const reason = bodyText(response).trimEnd();
    assert.notEqual(statusOf(response), 200, `${response.startLine}: ${reason.slice(0, 200)}`);
    assert.match(reason, /max-body-size/);
    assert.match(
      reason,
      new RegExp(`\\b${MiB}\\b|\\b1MiB\\b`),
      `the reason does not name the 1 MiB limit: ${reason}`,
    );
    assert.ok(!reason.includes("\n"), `the reason spans several lines:\n${reason}`);
    assert.ok(reason.includes(url), `the reason does not name the target: ${reason}`);
  });
});
