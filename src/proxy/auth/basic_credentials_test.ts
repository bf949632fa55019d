import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseBasicCredentials } from "./basic_credentials.ts";

describe("parseBasicCredentials()", () => {
  it("parseBasicCredentials() decodes UTF-8 user and password; the password may hold colons", () => {
    const header = `basic ${Buffer.from("jürgen:a:b", "utf8").toString("base64")}`;
    assert.deepEqual(parseBasicCredentials(header), { user: "jürgen", password: "a:b" });
  });

  it("parseBasicCredentials() gives null for anything but well-formed Basic credentials", () => {
    for (const header of [null, "", "Bearer abc", "Basic", "Basic !!!", `Basic ${btoa("no-colon")}`]) {
      assert.equal(parseBasicCredentials(header), null, String(header));
    }
  });
});
