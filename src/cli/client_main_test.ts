import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RawFetch, Runtime, ServeOptions, TlsClientOptions } from "../runtime/types.ts";
import { VERSION } from "../version.ts";
import { clientMain } from "./client_main.ts";
import { asRequest } from "../client/fake_http.ts";

/** A Runtime whose proxy only ever holds polls open, and which records what the client did with it. */
function fakeRuntime(args: string[], files: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const served: ServeOptions[] = [];
  const clients: (TlsClientOptions | undefined)[] = [];
  const polls: string[] = [];
  const polledUrls: string[] = [];
  const authorizations: (string | null)[] = [];
  let closed = 0;
  let signalHandler: ((signal: string) => void) | null = null;
  const fetch: RawFetch = async (input, init) => {
    // A Request cannot be built from a URL with credentials; keep them in what is recorded, not in it.
    const url = new URL(input instanceof Request ? input.url : input);
    polledUrls.push(url.href);
    url.username = url.password = "";
    const request = asRequest(url, init);
    authorizations.push(request.headers.get("authorization"));
    polls.push(await request.text());
    return await new Promise<Response>((_, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
  };
  const runtime: Runtime = {
    name: "deno",
    version: "2.9.6",
    args,
    env: () => undefined,
    fqdn: () => Promise.resolve("host.example"),
    serve: (options) => {
      served.push(options);
      return Promise.resolve({
        hostname: "127.0.0.1",
        port: options.port,
        close: () => Promise.resolve(void closed++),
      });
    },
    httpClient: (tls) => {
      clients.push(tls);
      return fetch;
    },
    readTextFile: (path) =>
      path in files
        ? Promise.resolve(files[path])
        : Promise.reject(new Error(`No such file or directory: ${path}`)),
    onShutdownSignal: (handler) => void (signalHandler = handler),
    writeStdout: (text) => void stdout.push(text),
    writeStderr: (text) => void stderr.push(text),
    exit: (code) => {
      throw new Error(`exit(${code}) called from library code`);
    },
  };
  const signal = (name: string) => {
    assert.ok(signalHandler, "a shutdown handler was registered");
    signalHandler(name);
  };
  return {
    runtime,
    stdout,
    stderr,
    served,
    clients,
    polls,
    polledUrls,
    authorizations,
    signal,
    closed: () => closed,
  };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
}

describe("clientMain()", () => {
  it("clientMain() prints help to stdout and returns 0", async () => {
    const fake = fakeRuntime(["--help"]);
    assert.equal(await clientMain(fake.runtime), 0);
    assert.match(fake.stdout.join(""), /--proxy-url=URL/);
    assert.deepEqual(fake.stderr, []);
  });

  it("clientMain() prints the version line and returns 0", async () => {
    const fake = fakeRuntime(["--version"]);
    assert.equal(await clientMain(fake.runtime), 0);
    assert.match(
      fake.stdout.join(""),
      new RegExp(`^client ${VERSION.replaceAll(".", "\\.")} \\(deno 2\\.9\\.6, [^)]+\\)\\n$`),
    );
  });

  it("clientMain() reports a usage error on one stderr line and returns 2", async () => {
    const fake = fakeRuntime(["--fqdn=host.example"]);
    assert.equal(await clientMain(fake.runtime), 2);
    const text = fake.stderr.join("");
    assert.match(text, /^client: .*--proxy-url.*\n$/);
    assert.equal(text.split("\n").length, 2, "exactly one line");
  });

  it("clientMain() names the flag and the path of an unreadable TLS file and returns 2", async () => {
    const fake = fakeRuntime(["--proxy-url=https://proxy:8443", "--tls.cacert=/etc/missing-ca.pem"]);
    assert.equal(await clientMain(fake.runtime), 2);
    const text = fake.stderr.join("");
    assert.match(text, /^client: cannot read --tls\.cacert file "\/etc\/missing-ca\.pem": .+\n$/);
    assert.equal(fake.polls.length, 0, "no poll was sent");
  });

  it("clientMain() polls under the host's FQDN with the TLS files read, serves metrics, and stops on a signal", async () => {
    const files = { "/ca.pem": "CA PEM", "/c.pem": "CERT PEM", "/k.pem": "KEY PEM" };
    const fake = fakeRuntime(
      [
        "--proxy-url=https://proxy:8443",
        "--tls.cacert=/ca.pem",
        "--tls.cert=/c.pem",
        "--tls.key=/k.pem",
        "--metrics-addr=127.0.0.1:0",
      ],
      files,
    );
    const running = clientMain(fake.runtime);
    await eventually(() => fake.polls.length === 1, "the first poll");

    assert.equal(fake.polls[0], "host.example");
    assert.deepEqual(
      fake.clients[0],
      { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM" },
      "the proxy client gets the TLS files",
    );
    assert.match(
      fake.stderr.join(""),
      /msg="Starting client".*fqdn=host\.example.*proxy_url=https:\/\/proxy:8443\//,
    );
    assert.equal(fake.served[0].hostname, "127.0.0.1");
    const metrics = await fake.served[0].handler(new Request("http://127.0.0.1:9369/metrics"), {
      absoluteForm: false,
      remoteAddress: "127.0.0.1",
    });
    assert.match(await metrics.text(), /pushprox_client_poll_errors_total 0/);

    fake.signal("SIGTERM");
    assert.equal(await running, 0);
    assert.equal(fake.closed(), 1, "the metrics server was closed");
  });

  it("clientMain() polls every --proxy-url at once, counts per proxy, and never logs credentials", async () => {
    const fake = fakeRuntime([
      "--proxy-url=http://scraper:s3cret@proxy-a:8080",
      "--proxy-url=http://proxy-b:8080/",
      "--metrics-addr=127.0.0.1:0",
      "--log.level=debug",
    ]);
    const running = clientMain(fake.runtime);
    await eventually(() => fake.polls.length === 2, "a poll to each proxy");
    assert.deepEqual(fake.polls, ["host.example", "host.example"]);
    // The user info becomes Basic credentials for that proxy alone, and leaves the URL the client sees.
    assert.deepEqual(fake.polledUrls.toSorted(), ["http://proxy-a:8080/poll", "http://proxy-b:8080/poll"]);
    assert.deepEqual(fake.authorizations.toSorted(), [`Basic ${btoa("scraper:s3cret")}`, null]);
    const metrics = await fake.served[0].handler(new Request("http://127.0.0.1:9369/metrics"), {
      absoluteForm: false,
      remoteAddress: "127.0.0.1",
    });
    const page = await metrics.text();
    assert.match(page, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-a:8080\/"\} 0$/m);
    assert.match(page, /^pushprox_client_poll_errors_total\{proxy="http:\/\/proxy-b:8080\/"\} 0$/m);
    fake.signal("SIGTERM");
    assert.equal(await running, 0);
    const log = fake.stderr.join("");
    assert.match(log, /msg="Starting client".*proxy_url=http:\/\/proxy-a:8080\/,http:\/\/proxy-b:8080\//);
    assert.doesNotMatch(log + page, /s3cret|scraper/);
  });

  it("clientMain() refuses the same --proxy-url twice on one line and returns 2", async () => {
    const fake = fakeRuntime(["--proxy-url=http://proxy:8080", "--proxy-url=http://proxy:8080/"]);
    assert.equal(await clientMain(fake.runtime), 2);
    assert.deepEqual(fake.stderr, ["client: flag --proxy-url names http://proxy:8080/ more than once\n"]);
    assert.equal(fake.polls.length, 0, "no poll was sent");
  });

  it("clientMain() starts no metrics server when --metrics-addr is empty", async () => {
    const fake = fakeRuntime(["--proxy-url=http://proxy:8080", "--fqdn=web-1.example", "--metrics-addr="]);
    const running = clientMain(fake.runtime);
    await eventually(() => fake.polls.length === 1, "the first poll");
    assert.equal(fake.polls[0], "web-1.example");
    fake.signal("SIGINT");
    assert.equal(await running, 0);
    assert.equal(fake.served.length, 0);
  });
});
