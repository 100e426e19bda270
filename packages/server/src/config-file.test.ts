import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG_FILE, loadConfigFile, parseConfigFileText } from "./config-file.js";
import { ConfigError } from "./config-values.js";
import { UPSTREAM_CONFIG_FILE } from "./upstream-config-fixtures.js";

describe("parseConfigFileText", () => {
  it("reads upstream's config file as viper does: every key, quotes removed, empty values kept", () => {
    const values = parseConfigFileText(UPSTREAM_CONFIG_FILE, "config");
    expect(Object.keys(values)).toHaveLength(56);
    expect(values).toMatchObject({
      DB_USER: "",
      DB_HOST: "tekton-results-postgres-service.tekton-pipelines.svc.cluster.local",
      DB_PORT: "5432",
      FEATURE_GATES: "PartialResponse=true",
      LOGGING_PLUGIN_STATIC_LABELS: "log_type=application",
      LOGS_PATH: "/logs",
    });
  });

  it("takes comments, blank lines, export, quotes, trailing comments, CRLF and any key case", () => {
    const text = [
      "# a comment",
      "",
      "   ",
      "  # indented comment",
      "export PORT=9000",
      'DATABASE_URL="sqlite::memory:"',
      "LOG_LEVEL=debug # trailing comment",
      "log_type='x y'",
      "EMPTY=",
      "PORT=9001\r",
    ].join("\n");
    expect(parseConfigFileText(text, "f")).toEqual({
      PORT: "9001",
      DATABASE_URL: "sqlite::memory:",
      LOG_LEVEL: "debug",
      LOG_TYPE: "x y",
      EMPTY: "",
    });
  });

  it("refuses a malformed line naming file:line", () => {
    const cases: [string, string][] = [
      ["A=1\nnot a setting\n", "f:2: not a KEY=VALUE line"],
      ["A=1\n\n=value\n", "f:3: not a KEY=VALUE line"],
      ["A.B=1\n", "f:1: not a variable name"],
      ["9LIVES=1\n", "f:1: not a variable name"],
      ["A=1 B=2 junk\nC\n", "f:2:"],
    ];
    for (const [text, message] of cases) {
      expect(() => parseConfigFileText(text, "f"), text).toThrow(ConfigError);
      expect(() => parseConfigFileText(text, "f"), text).toThrow(message);
    }
  });
});

describe("loadConfigFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "results-config-"));
  const file = join(dir, "config");
  writeFileSync(file, "SERVER_PORT=9000\n");

  it("reads the default file when it exists, nothing when it does not", () => {
    expect(DEFAULT_CONFIG_FILE).toBe("/etc/tekton/results/config");
    expect(loadConfigFile({ defaultFile: file })).toEqual({
      path: file,
      values: { SERVER_PORT: "9000" },
    });
    expect(loadConfigFile({ defaultFile: join(dir, "absent") })).toEqual({
      path: undefined,
      values: {},
    });
  });

  it("reads the file named, and refuses one it cannot read, even where the default would be", () => {
    expect(loadConfigFile({ explicit: file, defaultFile: join(dir, "absent") }).path).toBe(file);
    expect(() => loadConfigFile({ explicit: join(dir, "absent") })).toThrow(
      `cannot read the config file ${join(dir, "absent")}`,
    );
    expect(() => loadConfigFile({ explicit: dir })).toThrow(ConfigError);
    expect(() => loadConfigFile({ explicit: "" })).toThrow("config must not be empty");
  });

  it("refuses a default file that exists but cannot be read", () => {
    const readFile = (): string => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    expect(() => loadConfigFile({ defaultFile: file, readFile })).toThrow("permission denied");
  });
});
