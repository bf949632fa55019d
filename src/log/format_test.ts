import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { errorChain, formatJson, formatLogfmt, logfmtValue } from "./format.ts";

const TS = "2026-11-25T22:00:00.123Z";

describe("errorChain()", () => {
  it("errorChain() joins the cause chain with colons", () => {
    const root = new Error("connection refused");
    const mid = new TypeError("fetch failed", { cause: root });
    assert.equal(
      errorChain(new Error("push failed", { cause: mid })),
      "push failed: fetch failed: connection refused",
    );
  });

  it("errorChain() includes a cause that is not an Error", () => {
    assert.equal(errorChain(new Error("scrape failed", { cause: "timeout" })), "scrape failed: timeout");
  });

  it("errorChain() stops on an error that is its own cause", () => {
    const error = new Error("loop");
    error.cause = error;
    assert.equal(errorChain(error), Array(8).fill("loop").join(": "));
  });
});

describe("logfmtValue()", () => {
  it("logfmtValue() leaves plain words bare", () => {
    assert.equal(logfmtValue(":8080"), ":8080");
    assert.equal(logfmtValue("http://host:9100/metrics"), "http://host:9100/metrics");
  });

  it("logfmtValue() quotes spaces, equals signs, quotes, backslashes and empty values", () => {
    assert.equal(logfmtValue("two words"), '"two words"');
    assert.equal(logfmtValue("a=b"), '"a=b"');
    assert.equal(logfmtValue('say "hi"'), '"say \\"hi\\""');
    assert.equal(logfmtValue("C:\\dir"), '"C:\\\\dir"');
    assert.equal(logfmtValue(""), '""');
  });

  it("logfmtValue() escapes newlines and control characters so a record stays on one line", () => {
    assert.equal(logfmtValue("a\nb"), '"a\\nb"');
    assert.equal(logfmtValue("bell\u0007"), '"bell\\u0007"');
    assert.equal(logfmtValue("del\u007f").startsWith('"'), true);
  });
});

describe("formatLogfmt()", () => {
  it("formatLogfmt() writes ts, level, msg then fields in order", () => {
    const line = formatLogfmt({
      ts: TS,
      level: "info",
      msg: "Listening",
      fields: { address: ":8080", n: 3 },
    });
    assert.equal(line, `ts=${TS} level=info msg=Listening address=:8080 n=3`);
  });

  it("formatLogfmt() quotes a message with spaces and renders errors as their chain", () => {
    const err = new Error("bad gateway", { cause: new Error("reset") });
    const line = formatLogfmt({
      ts: TS,
      level: "warn",
      msg: "Push failed",
      fields: { scrape_id: "abc", err },
    });
    assert.equal(line, `ts=${TS} level=warn msg="Push failed" scrape_id=abc err="bad gateway: reset"`);
  });

  it("formatLogfmt() leaves out undefined fields and prints null, objects and dates", () => {
    const line = formatLogfmt({
      ts: TS,
      level: "debug",
      msg: "x",
      fields: { gone: undefined, none: null, obj: { a: 1 }, at: new Date(0), big: 10n },
    });
    assert.equal(
      line,
      `ts=${TS} level=debug msg=x none=null obj="{\\"a\\":1}" at=1970-01-01T00:00:00.000Z big=10`,
    );
  });

  it("formatLogfmt() renames fields that would shadow ts, level or msg and cleans odd keys", () => {
    const line = formatLogfmt({ ts: TS, level: "info", msg: "x", fields: { level: "y", "a key=": 1 } });
    assert.equal(line, `ts=${TS} level=info msg=x field_level=y a_key_=1`);
  });
});

describe("formatJson()", () => {
  it("formatJson() writes one parseable object with ts, level, msg first", () => {
    const line = formatJson({
      ts: TS,
      level: "error",
      msg: "Cannot listen",
      fields: { url: "http://x/", code: 3, ok: false },
    });
    assert.equal(
      line,
      `{"ts":"${TS}","level":"error","msg":"Cannot listen","url":"http://x/","code":3,"ok":false}`,
    );
    assert.deepEqual(Object.keys(JSON.parse(line)), ["ts", "level", "msg", "url", "code", "ok"]);
  });

  it("formatJson() renders errors, bigints and nested errors as text", () => {
    const err = new Error("outer", { cause: new Error("inner") });
    const parsed = JSON.parse(
      formatJson({ ts: TS, level: "warn", msg: "m", fields: { err, n: 5n, nested: { err } } }),
    );
    assert.equal(parsed.err, "outer: inner");
    assert.equal(parsed.n, "5");
    assert.deepEqual(parsed.nested, { err: "outer: inner" });
  });

  it("formatJson() survives a circular object and escapes newlines in messages", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const line = formatJson({ ts: TS, level: "info", msg: "two\nlines", fields: { loop } });
    assert.equal(line.includes("\n"), false);
    const parsed = JSON.parse(line);
    assert.equal(parsed.msg, "two\nlines");
    assert.equal(parsed.loop, "[object Object]");
  });

  it("formatJson() keeps the record's msg when a field is also called msg", () => {
    const parsed = JSON.parse(formatJson({ ts: TS, level: "info", msg: "real", fields: { msg: "fake" } }));
    assert.equal(parsed.msg, "real");
    assert.equal(parsed.field_msg, "fake");
  });
});
