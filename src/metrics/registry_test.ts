import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { METRICS_CONTENT_TYPE, Registry } from "./registry.ts";

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = "(?:NaN|[+-]Inf|-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{${LABEL}(?:,${LABEL})*\\})? ${VALUE}$`);
const HELP = new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram)$`);

/** Checks text format 0.0.4 line by line: every line well formed, every sample under its family's TYPE. */
function assertValidExposition(text: string): void {
  assert.ok(text === "" || text.endsWith("\n"), "output must end with a newline");
  let family = "";
  let type = "";
  for (const line of text.split("\n").slice(0, -1)) {
    const help = HELP.exec(line);
    const typed = TYPE.exec(line);
    const sample = SAMPLE.exec(line);
    if (help) family = help[1];
    else if (typed) {
      assert.equal(typed[1], family, `TYPE for ${typed[1]} must follow its HELP`);
      type = typed[2];
    } else if (sample) {
      const allowed = type === "histogram"
        ? [`${family}_bucket`, `${family}_sum`, `${family}_count`]
        : [family];
      assert.ok(allowed.includes(sample[1]), `sample ${sample[1]} outside its family ${family}`);
    } else assert.fail(`not a valid exposition line: ${JSON.stringify(line)}`);
  }
}

describe("Registry", () => {
  it("render() prints an unlabelled counter at 0 before any increment", () => {
    const registry = new Registry();
    registry.counter({ name: "pushprox_client_poll_errors_total", help: "Failed polls." });
    assert.equal(
      registry.render(),
      "# HELP pushprox_client_poll_errors_total Failed polls.\n" +
        "# TYPE pushprox_client_poll_errors_total counter\n" +
        "pushprox_client_poll_errors_total 0\n",
    );
  });

  it("render() leaves out labelled metrics that have no series yet", () => {
    const registry = new Registry();
    registry.counter({ name: "requests_total", help: "Requests.", labelNames: ["code"] });
    assert.equal(registry.render(), "");
  });

  it("Counter.inc() counts per label set and renders series sorted by label values", () => {
    const registry = new Registry();
    const requests = registry.counter({
      name: "pushprox_http_requests_total",
      help: "Requests.",
      labelNames: ["code", "path"],
    });
    requests.inc({ path: "/push", code: "200" });
    requests.inc({ code: "200", path: "/poll" }, 2);
    requests.inc({ code: "200", path: "/push" });
    assert.equal(requests.get({ code: "200", path: "/push" }), 2);
    const text = registry.render();
    assert.equal(
      text.split("\n").filter((line) => !line.startsWith("#")).join("\n"),
      'pushprox_http_requests_total{code="200",path="/poll"} 2\n' +
        'pushprox_http_requests_total{code="200",path="/push"} 2\n',
    );
    assertValidExposition(text);
  });

  it("Counter.inc() refuses to go down and refuses wrong labels", () => {
    const registry = new Registry();
    const counter = registry.counter({ name: "c_total", help: "C.", labelNames: ["code"] });
    assert.throws(() => counter.inc({ code: "200" }, -1), RangeError);
    assert.throws(() => counter.inc({ code: "200" }, NaN), RangeError);
    assert.throws(() => counter.inc(), {
      name: "TypeError",
      message: "Metric c_total takes labels {code}, got {}",
    });
    assert.throws(() => counter.inc({ code: "200", path: "/" }), TypeError);
    assert.throws(() => counter.inc({ path: "/" }), TypeError);
  });

  it("Gauge set, inc and dec move the value", () => {
    const registry = new Registry();
    const gauge = registry.gauge({ name: "in_flight", help: "In flight." });
    gauge.set(5);
    gauge.inc();
    gauge.dec(undefined, 3);
    assert.equal(gauge.get(), 3);
    assert.match(registry.render(), /\nin_flight 3\n$/);
  });

  it("Gauge collect reads the value at render time", () => {
    const registry = new Registry();
    let clients = 1;
    const gauge = registry.gauge({
      name: "pushprox_proxy_clients",
      help: "Clients.",
      collect: () => clients,
    });
    assert.match(registry.render(), /\npushprox_proxy_clients 1\n$/);
    clients = 7;
    assert.match(registry.render(), /\npushprox_proxy_clients 7\n$/);
    assert.throws(() => gauge.set(1), TypeError);
  });

  it("Histogram observe() fills cumulative buckets, sum and count", () => {
    const registry = new Registry();
    const histogram = registry.histogram({
      name: "d_seconds",
      help: "D.",
      labelNames: ["path"],
      buckets: [0.1, 1],
    });
    histogram.observe(0.05, { path: "/poll" });
    histogram.observe(0.1, { path: "/poll" });
    histogram.observe(0.5, { path: "/poll" });
    histogram.observe(30, { path: "/poll" });
    const text = registry.render();
    assert.equal(
      text,
      "# HELP d_seconds D.\n# TYPE d_seconds histogram\n" +
        'd_seconds_bucket{path="/poll",le="0.1"} 2\n' +
        'd_seconds_bucket{path="/poll",le="1"} 3\n' +
        'd_seconds_bucket{path="/poll",le="+Inf"} 4\n' +
        'd_seconds_sum{path="/poll"} 30.65\n' +
        'd_seconds_count{path="/poll"} 4\n',
    );
    assert.deepEqual(histogram.get({ path: "/poll" }), { count: 4, sum: 30.65 });
    assertValidExposition(text);
  });

  it("Histogram uses Prometheus' default buckets when none are given", () => {
    const registry = new Registry();
    registry.histogram({ name: "h", help: "H." }).observe(0.003);
    const les = [...registry.render().matchAll(/le="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(les, [
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "10",
      "+Inf",
    ]);
  });

  it("Histogram rejects unordered buckets and an le label", () => {
    const registry = new Registry();
    assert.throws(() => registry.histogram({ name: "a", help: "A.", buckets: [1, 0.5] }), RangeError);
    assert.throws(() => registry.histogram({ name: "b", help: "B.", labelNames: ["le"] }), TypeError);
  });

  it("render() escapes help text and label values", () => {
    const registry = new Registry();
    registry.counter({ name: "odd_total", help: "Back\\slash and\nnewline.", labelNames: ["v"] })
      .inc({ v: 'quote " backslash \\ newline \n end' });
    const text = registry.render();
    assert.ok(text.includes("# HELP odd_total Back\\\\slash and\\nnewline.\n"), text);
    assert.ok(text.includes('odd_total{v="quote \\" backslash \\\\ newline \\n end"} 1\n'), text);
    assertValidExposition(text);
  });

  it("render() keeps registration order and formats special values", () => {
    const registry = new Registry();
    registry.gauge({ name: "zeta", help: "Z." }).set(Infinity);
    registry.gauge({ name: "alpha", help: "A." }).set(NaN);
    registry.gauge({ name: "mid", help: "M." }).set(-Infinity);
    const text = registry.render();
    assert.deepEqual(text.split("\n").filter((l) => !l.startsWith("#") && l !== ""), [
      "zeta +Inf",
      "alpha NaN",
      "mid -Inf",
    ]);
    assertValidExposition(text);
  });

  it("Registry rejects duplicate and invalid names", () => {
    const registry = new Registry();
    registry.histogram({ name: "lat", help: "L." });
    assert.throws(() => registry.counter({ name: "lat", help: "Again." }), {
      name: "TypeError",
      message: /lat is already registered/,
    });
    assert.throws(() => registry.gauge({ name: "lat_count", help: "Clash." }), TypeError);
    assert.throws(() => registry.counter({ name: "bad-name", help: "B." }), TypeError);
    assert.throws(() => registry.counter({ name: "ok", help: "B.", labelNames: ["__reserved"] }), TypeError);
    assert.throws(() => registry.counter({ name: "ok2", help: "B.", labelNames: ["a", "a"] }), TypeError);
  });

  it("the upstream metric names render as valid exposition", () => {
    const registry = new Registry();
    registry.counter({ name: "pushprox_http_requests_total", help: "R.", labelNames: ["code", "path"] }).inc({
      code: "200",
      path: "/poll",
    });
    registry.histogram({ name: "pushprox_http_duration_seconds", help: "D.", labelNames: ["path"] }).observe(
      0.2,
      { path: "/poll" },
    );
    registry.counter({ name: "pushproxy_proxied_requests_total", help: "P.", labelNames: ["code"] }).inc({
      code: "200",
    });
    registry.gauge({ name: "pushprox_proxy_clients", help: "C.", collect: () => 3 });
    assertValidExposition(registry.render());
  });

  it("METRICS_CONTENT_TYPE names text format 0.0.4", () => {
    assert.equal(METRICS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
  });
});

describe("assertValidExposition()", () => {
  it("assertValidExposition() catches a malformed line", () => {
    assert.throws(() => assertValidExposition('# HELP x X.\n# TYPE x gauge\nx{a="unescaped"quote"} 1\n'));
    assert.throws(() => assertValidExposition("# HELP x X.\n# TYPE x gauge\ny 1\n"));
  });
});
