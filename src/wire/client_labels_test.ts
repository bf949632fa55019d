import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  encodeLabels,
  labelNameProblem,
  labelValueProblem,
  MAX_LABELS,
  parseLabelsHeader,
} from "./client_labels.ts";

describe("client labels", () => {
  it("encodeLabels() and parseLabelsHeader() carry any UTF-8 value, '&', '=' and spaces included", () => {
    const labels = new Map([["team", "db & ops"], ["site", "Zürich=1"], ["note", '<b>"x"</b>']]);
    const header = encodeLabels(labels);
    assert.match(header, /^[\x21-\x7e]+$/, "the header is printable ASCII");
    assert.deepEqual([...parseLabelsHeader(header)], [...labels]);
  });

  it("labelNameProblem() takes Prometheus label names and refuses the reserved __ prefix", () => {
    for (const name of ["team", "_x", "A9_b"]) assert.equal(labelNameProblem(name), null, name);
    assert.match(labelNameProblem("9team")!, /"9team" is not a Prometheus label name/);
    assert.match(labelNameProblem("te-am")!, /"te-am" is not a Prometheus label name/);
    assert.match(labelNameProblem("")!, /"" is not a Prometheus label name/);
    assert.match(labelNameProblem("__meta_x")!, /"__meta_x" starts with "__"/);
  });

  it("labelValueProblem() refuses empty values and text that was not UTF-8", () => {
    assert.equal(labelValueProblem("prod"), null);
    assert.match(labelValueProblem("")!, /empty/);
    assert.match(labelValueProblem("a\uFFFDb")!, /not valid UTF-8/);
    assert.match(labelValueProblem("a\uD800b")!, /not valid UTF-8/);
  });

  it("parseLabelsHeader() names the first bad label of a hostile header", () => {
    assert.throws(() => parseLabelsHeader("team=db&__address__=evil:1"), {
      name: "SyntaxError",
      message: /PushProx-Labels header: label name "__address__" starts with "__"/,
    });
    assert.throws(() => parseLabelsHeader("team=a&team=b"), /label "team" is given twice/);
    assert.throws(() => parseLabelsHeader("team=%FF"), /not valid UTF-8/);
    assert.throws(() => parseLabelsHeader("team="), /empty/);
    assert.throws(() => parseLabelsHeader(`a=${"x".repeat(5000)}`), /more than 4096/);
    const many = Array.from({ length: MAX_LABELS + 1 }, (_, i) => `l${i}=v`).join("&");
    assert.throws(() => parseLabelsHeader(many), /more than 64 labels/);
  });

  it("parseLabelsHeader() reads an empty header as no labels", () => {
    assert.equal(parseLabelsHeader("").size, 0);
  });
});
