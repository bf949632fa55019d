import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseAuthFile, withProxyAuth } from "./proxy_auth.ts";
import type { RawFetch } from "../runtime/types.ts";

function recording() {
  const seen: { url: string; authorization: string | null; idle: string | null }[] = [];
  const fetch: RawFetch = (input, init) => {
    const headers = input instanceof Request ? input.headers : new Headers(init?.headers);
    const url = input instanceof Request ? input.url : String(input);
    seen.push({
      url,
      authorization: headers.get("authorization"),
      idle: headers.get("pushprox-accept-idle"),
    });
    return Promise.resolve(new Response(null, { status: 204 }));
  };
  return { fetch, seen };
}

const basic = (text: string) => `Basic ${Buffer.from(text, "utf8").toString("base64")}`;

describe("withProxyAuth()", () => {
  it("withProxyAuth() sends a URL's user info as Basic credentials and takes it out of the URL", async () => {
    const { fetch, seen } = recording();
    const authed = withProxyAuth(fetch, null);
    const poll = new URL("https://h%C3%B6st1:p%3Aw@proxy:8443/poll");
    await authed(poll, { method: "POST", headers: [["PushProx-Accept-Idle", "1"]] });
    await authed(poll, { method: "POST", headers: [["PushProx-Accept-Idle", "1"]] });
    await authed(new Request("https://u:p@proxy:8443/push", { method: "POST" }));
    assert.deepEqual(seen, [
      { url: "https://proxy:8443/poll", authorization: basic("höst1:p:w"), idle: "1" },
      { url: "https://proxy:8443/poll", authorization: basic("höst1:p:w"), idle: "1" },
      { url: "https://proxy:8443/push", authorization: basic("u:p"), idle: null },
    ]);
  });

  it("withProxyAuth() gives the file's credentials to URLs without user info of their own", async () => {
    const { fetch, seen } = recording();
    const authed = withProxyAuth(fetch, { user: "host1", password: "s3cret" });
    await authed(new URL("https://proxy-a:8443/poll"), { method: "POST" });
    await authed(new URL("https://other:pw@proxy-b:8443/poll"), { method: "POST" });
    assert.deepEqual(seen.map((s) => s.authorization), [basic("host1:s3cret"), basic("other:pw")]);
  });

  it("withProxyAuth() without any credentials sends requests as they are", async () => {
    const { fetch, seen } = recording();
    await withProxyAuth(fetch, null)(new URL("http://proxy:8080/poll"), { method: "POST" });
    assert.deepEqual(seen, [{ url: "http://proxy:8080/poll", authorization: null, idle: null }]);
  });
});

describe("parseAuthFile()", () => {
  it("parseAuthFile() reads user:password from the first line; the password may hold colons", () => {
    assert.deepEqual(parseAuthFile("host1:a:b c\n"), { user: "host1", password: "a:b c" });
    assert.deepEqual(parseAuthFile("host1:\r\nignored"), { user: "host1", password: "" });
  });

  it("parseAuthFile() refuses a file without user:password, without quoting it", () => {
    for (const text of ["", "s3cret\n", ":s3cret"]) {
      assert.throws(() => parseAuthFile(text), (error: Error) => {
        assert.equal(error.message, "expected one line user:password");
        return true;
      });
    }
  });
});
