import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { issuerTag, taggedIds, tagOfId } from "./scrape_id.ts";

describe("scrape ids", () => {
  it("taggedIds() makes UUID-shaped ids whose tag names the issuing proxy", () => {
    const newId = taggedIds("http://proxy-1:8080/", () => crypto.randomUUID());
    const a = newId();
    const b = newId();
    assert.notEqual(a, b);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(tagOfId(a), issuerTag("http://proxy-1:8080/"));
    assert.notEqual(issuerTag("http://proxy-1:8080/"), issuerTag("http://proxy-2:8080/"));
  });

  it("tagOfId() gives null for ids no cluster proxy made", () => {
    assert.equal(tagOfId("42"), null);
    assert.equal(tagOfId("not-a-uuid-at-all"), null);
  });
});
