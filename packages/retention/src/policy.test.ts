import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  loadRetentionConfig,
  parseRetention,
  parseRetentionConfig,
  PolicyError,
  readRetentionConfig,
} from "./policy.js";
import { compileRules, selectorFilter } from "./selection.js";

const DAY = 86_400_000;

/** Upstream's example ConfigMap (docs/retention-policy-agent/README.md), verbatim. */
const UPSTREAM_EXAMPLE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: tekton-results-config-results-retention-policy
  namespace: tekton-pipelines
data:
  runAt: "0 2 * * *" # Run every day at 2:00 AM
  defaultRetention: "30d"
  policies: |
    - name: "retain-critical-failures-long-term"
      selector:
        matchNamespaces:
          - "production"
          - "prod-east"
        matchLabels:
          "criticality": ["high"]
        matchStatuses:
          - "Failed"
      retention: "180d"
    - name: "retain-annotated-for-debug"
      selector:
        matchAnnotations:
          "debug/retain": ["true"]
      retention: "14d"
    - name: "default-production-policy"
      selector:
        matchNamespaces:
          - "production"
          - "prod-east"
      retention: "60d"
    - name: "short-term-ci-retention"
      selector:
        matchNamespaces:
          - "ci"
      retention: "7d"
`;

const error = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof PolicyError) return err.message;
    throw err;
  }
  throw new Error("expected a PolicyError");
};

describe("the retention configuration", () => {
  it("reads upstream's example ConfigMap unchanged", () => {
    const config = loadRetentionConfig(UPSTREAM_EXAMPLE);
    expect(config.runAt).toBe("0 2 * * *");
    expect(config.defaultRetentionMs).toBe(30 * DAY);
    expect(config.age).toBe("completion");
    expect(config.policies.map((p) => [p.name, p.retentionMs])).toEqual([
      ["retain-critical-failures-long-term", 180 * DAY],
      ["retain-annotated-for-debug", 14 * DAY],
      ["default-production-policy", 60 * DAY],
      ["short-term-ci-retention", 7 * DAY],
    ]);
    expect(config.policies[0]!.selector).toEqual({
      matchNamespaces: ["production", "prod-east"],
      matchLabels: { criticality: ["high"] },
      matchStatuses: ["Failed"],
    });
    expect(config.warnings).toEqual([]);
  });

  it("defaults as upstream: Sundays at 07:07, 30 days, no policies", () => {
    const config = parseRetentionConfig({});
    expect([config.runAt, config.defaultRetentionMs, config.policies]).toEqual([
      "7 7 * * 7",
      30 * DAY,
      [],
    ]);
  });

  it("reads retentions as upstream: days, Nd, or a Go duration", () => {
    expect(parseRetention("7", "x")).toBe(7 * DAY);
    expect(parseRetention("14d", "x")).toBe(14 * DAY);
    expect(parseRetention("36h", "x")).toBe(36 * 3_600_000);
    expect(parseRetention("1h30m", "x")).toBe(90 * 60_000);
    expect(error(() => parseRetention("two weeks", "policies[1].retention"))).toBe(
      'policies[1].retention: "two weeks" is not a retention: give days (30 or 30d) or a duration (36h, 90m)',
    );
    expect(error(() => parseRetention("0d", "defaultRetention"))).toBe(
      "defaultRetention: the retention must be more than zero",
    );
  });

  it("lets the deprecated maxRetention win over defaultRetention, with a warning", () => {
    const config = parseRetentionConfig({ maxRetention: "90", defaultRetention: "10d" });
    expect(config.defaultRetentionMs).toBe(90 * DAY);
    expect(config.warnings).toEqual([
      "maxRetention is deprecated (and wins over defaultRetention, as upstream's does): rename it to defaultRetention",
    ]);
  });

  it("reads the data map alone, and a policies list written as YAML", () => {
    const config = loadRetentionConfig(`defaultRetention: 10
age: update
policies:
  - name: ci
    selector: { matchNamespaces: [ci] }
    retention: 1d
`);
    expect(config.defaultRetentionMs).toBe(10 * DAY);
    expect(config.age).toBe("update");
    expect(config.policies.map((p) => p.name)).toEqual(["ci"]);
  });

  it("refuses what it would half-understand, saying where", () => {
    const policy = (yaml: string) => () => parseRetentionConfig({ policies: yaml });
    expect(
      error(policy("- name: a\n  selector: { matchLabel: { x: [y] } }\n  retention: 1d")),
    ).toBe(
      "policies[0].selector.matchLabel: not a selector; use matchNamespaces, matchLabels, matchAnnotations, matchStatuses, filter",
    );
    expect(
      error(policy("- name: a\n  selector: { matchLabels: { team: ci } }\n  retention: 1d")),
    ).toBe('policies[0].selector.matchLabels.team: a list of strings, e.g. ["a", "b"]');
    expect(error(policy("- name: a\n  retention: 1d\n- name: a\n  retention: 2d"))).toBe(
      'policies[1].name: "a" is used twice',
    );
    expect(error(policy("- name: a"))).toBe('policies[0].retention: policy "a" needs a retention');
    expect(error(policy("- name: a\n  selector: { matchNamespaces: [] }\n  retention: 1d"))).toBe(
      "policies[0].selector.matchNamespaces: the list is empty: it would match nothing",
    );
    expect(error(() => parseRetentionConfig({ runAt: "every sunday" }))).toMatch(
      /^runAt: "every sunday" is not a cron schedule/,
    );
    expect(error(() => parseRetentionConfig({ retention: "1d" }))).toBe(
      "retention: not a retention setting; use runAt, defaultRetention, maxRetention, policies, age",
    );
    expect(error(() => parseRetentionConfig({ age: "created" }))).toBe(
      "age: \"created\": completion (the run's completion time) or update (the record's update time)",
    );
  });

  it("a bad CEL filter selector is refused when the rules are compiled, naming the policy", () => {
    const config = parseRetentionConfig({
      policies: '- name: nightly\n  selector: { filter: "data.spec.x ==" }\n  retention: 1d',
    });
    expect(error(() => compileRules(config))).toMatch(
      /^policies\[0\] \(nightly\)\.selector: .*syntax error/i,
    );
  });
});

describe("selector filters", () => {
  it("quote every value as a CEL string literal, whatever it holds", () => {
    expect(
      selectorFilter({
        matchNamespaces: ["a", 'b"c'],
        matchLabels: { "app.kubernetes.io/name": ["x\\y", "it's"] },
        matchStatuses: ["Failed"],
      }),
    ).toBe(
      'parent in ["a", "b\\"c"] && data.metadata.labels["app.kubernetes.io/name"] in ["x\\\\y", "it\'s"] && data.status.conditions[0].reason in ["Failed"]',
    );
    expect(selectorFilter({})).toBe("true");
  });
});

describe("readRetentionConfig", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-config-"));
    dirs.push(dir);
    return dir;
  };
  /** A ConfigMap volume as the kubelet writes it: ..<timestamp>/ files, ..data, key links. */
  function mountConfigMap(dir: string, data: Record<string, string>): void {
    const stamp = `..2026_12_06_02_00_00.${Math.random().toString(36).slice(2, 8)}`;
    mkdirSync(join(dir, stamp));
    for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, stamp, key), value);
    rmSync(join(dir, "..data"), { force: true });
    symlinkSync(stamp, join(dir, "..data"));
    for (const key of Object.keys(data)) {
      rmSync(join(dir, key), { force: true });
      symlinkSync(join("..data", key), join(dir, key));
    }
  }

  it("reads a mounted ConfigMap directory, one file per key, skipping ..data and the like", () => {
    const dir = scratch();
    mountConfigMap(dir, {
      runAt: "0 3 * * *",
      defaultRetention: "90d",
      policies: '- name: failures\n  selector:\n    matchStatuses: ["Failed"]\n  retention: 7d\n',
    });
    const config = readRetentionConfig(dir);
    expect(config.runAt).toBe("0 3 * * *");
    expect(config.defaultRetentionMs).toBe(90 * DAY);
    expect(config.policies.map((p) => [p.name, p.retentionMs])).toEqual([["failures", 7 * DAY]]);
  });

  it("reads the directory afresh each time: an edited ConfigMap applies at once", () => {
    const dir = scratch();
    mountConfigMap(dir, { runAt: "0 3 * * *", defaultRetention: "90d" });
    expect(readRetentionConfig(dir).defaultRetention).toBe("90d");
    mountConfigMap(dir, { runAt: "0 4 * * *", defaultRetention: "60d" });
    expect(readRetentionConfig(dir)).toMatchObject({
      runAt: "0 4 * * *",
      defaultRetention: "60d",
    });
  });

  it("reads a file: a ConfigMap manifest or its data map", () => {
    const dir = scratch();
    writeFileSync(join(dir, "retention.yaml"), UPSTREAM_EXAMPLE);
    expect(readRetentionConfig(join(dir, "retention.yaml")).runAt).toBe("0 2 * * *");
  });

  it("refuses a missing path, an empty directory and a bad key, each a PolicyError naming it", () => {
    const dir = scratch();
    expect(() => readRetentionConfig(join(dir, "nothing"))).toThrow(PolicyError);
    expect(() => readRetentionConfig(join(dir, "nothing"))).toThrow(/cannot read .*nothing/);
    expect(() => readRetentionConfig(dir)).toThrow(/no settings/);
    mountConfigMap(dir, { runAt: "every day" });
    expect(() => readRetentionConfig(dir)).toThrow(/runAt/);
  });
});
