/**
 * The Prometheus recipes (scripts/recipes/prometheus/) pass `promtool check config`, which also reads the
 * target files a file_sd job names. The http_sd recipe is also run by a real Prometheus in
 * test/e2e/discovery_test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { repoPath } from "../support/paths.ts";
import { requireDebianBinary } from "../support/prometheus.ts";
import { readRecipe } from "../support/recipes.ts";

const PROMTOOL = "/usr/bin/promtool";

describe("Prometheus recipes", () => {
  for (const recipe of ["static", "file_sd", "http_sd", "ec2"]) {
    it(`${recipe}.yml passes promtool check config`, () => {
      requireDebianBinary(PROMTOOL, "prometheus");
      const file = repoPath(`scripts/recipes/prometheus/${recipe}.yml`);
      const result = spawnSync(PROMTOOL, ["check", "config", file], { encoding: "utf8" });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /SUCCESS/);
      assert.doesNotMatch(`${result.stdout}${result.stderr}`, /WARNING/);
    });
  }

  it("each recipe scrapes its hosts through the proxy (proxy_url)", () => {
    for (const recipe of ["static", "file_sd", "http_sd", "ec2"]) {
      const text = readRecipe(`prometheus/${recipe}.yml`);
      assert.match(text, /proxy_url: https?:\/\/[\w.-]+:8080\//, recipe);
    }
  });

  it("the EC2 job scrapes each instance as its private DNS name, the name its client polls for", () => {
    const text = readRecipe("prometheus/ec2.yml");
    assert.match(
      text,
      /- source_labels: \[__meta_ec2_private_dns_name\]\n\s+regex: \(\.\+\)\n\s+target_label: __address__\n\s+replacement: "\$1:9100"/,
    );
  });
});
