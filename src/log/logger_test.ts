import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLogger, silentLogger } from "./logger.ts";

const fixedNow = () => new Date("2026-11-25T22:00:00.123Z");

function capture(level: "debug" | "info" | "warn" | "error", format: "logfmt" | "json" = "logfmt") {
  const lines: string[] = [];
  const log = createLogger({ level, format, write: (line) => lines.push(line), now: fixedNow });
  return { log, lines };
}

describe("createLogger()", () => {
  it("createLogger() writes one logfmt line per record", () => {
    const { log, lines } = capture("info");
    log.info("Listening", { address: ":8080" });
    assert.deepEqual(lines, ["ts=2026-11-25T22:00:00.123Z level=info msg=Listening address=:8080"]);
  });

  it("createLogger() drops records below the level", () => {
    const { log, lines } = capture("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(lines.map((line) => line.split(" ")[1]), ["level=warn", "level=error"]);
  });

  it("createLogger() does not read the clock or the fields for dropped records", () => {
    let clockReads = 0;
    const log = createLogger({
      level: "info",
      format: "logfmt",
      write: () => assert.fail("nothing should be written"),
      now: () => {
        clockReads++;
        return new Date();
      },
    });
    const fields = {
      get expensive() {
        throw new Error("fields of a dropped record were read");
      },
    };
    log.debug("not shown", fields);
    assert.equal(clockReads, 0);
  });

  it("createLogger() writes JSON when asked", () => {
    const { log, lines } = capture("debug", "json");
    log.debug("Poll", { fqdn: "host.example" });
    assert.deepEqual(JSON.parse(lines[0]), {
      ts: "2026-11-25T22:00:00.123Z",
      level: "debug",
      msg: "Poll",
      fqdn: "host.example",
    });
  });

  it("child() adds its fields to every record and lets record fields win", () => {
    const { log, lines } = capture("info");
    const scrape = log.child({ scrape_id: "42", fqdn: "a.example" }).child({
      url: "http://a.example:9100/metrics",
    });
    scrape.info("Scrape done", { fqdn: "b.example" });
    scrape.info("Again");
    assert.equal(
      lines[0],
      'ts=2026-11-25T22:00:00.123Z level=info msg="Scrape done" scrape_id=42 fqdn=b.example url=http://a.example:9100/metrics',
    );
    assert.equal(
      lines[1].endsWith("msg=Again scrape_id=42 fqdn=a.example url=http://a.example:9100/metrics"),
      true,
    );
  });

  it("child() keeps the parent's level", () => {
    const { log, lines } = capture("error");
    log.child({ a: 1 }).warn("hidden");
    assert.equal(lines.length, 0);
  });
});

describe("silentLogger()", () => {
  it("silentLogger() accepts every call and its children do too", () => {
    const log = silentLogger();
    assert.doesNotThrow(() => log.child({ a: 1 }).error("x", { err: new Error("y") }));
  });
});
