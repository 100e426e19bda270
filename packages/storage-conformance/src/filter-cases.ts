/**
 * The shared filter table: CEL filters over {@link filterFixtures} with the
 * names they must select, on every backend and in the reference evaluator,
 * and filters that must be rejected at compile time.
 *
 * The expectations were written by reading the fixtures, not by running any
 * evaluator; `memory-filter.test.ts` checks the reference evaluator against
 * them.
 *
 * @module
 */
import type { FilterTarget } from "@tekton-results/storage";

/** One filter and the rows it selects. */
export interface FilterCase {
  /** A short unique description. */
  name: string;
  /** Results or records. */
  target: FilterTarget;
  /** The CEL expression. */
  filter: string;
  /** The sorted `name` segments of the matching results or records. */
  expected: string[];
}

/** A filter that must fail to compile. */
export interface InvalidFilterCase {
  /** A short unique description. */
  name: string;
  /** Results or records. */
  target: FilterTarget;
  /** The CEL expression. */
  filter: string;
  /** A substring of the `FilterError` message. */
  messageIncludes: string;
}

const ALL_RECORDS = [
  "custom-1",
  "custom-2",
  "log-build-feature",
  "pr-build-feature-1",
  "pr-build-main-1",
  "pr-deploy-42",
  "pr-deploy-43",
  "pr-nightly-1",
  "pr-test-ui-1",
  "tr-build-feature-compile",
  "tr-build-main-compile",
  "tr-build-main-fetch",
  "tr-build-main-scan",
  "tr-deploy-42-apply",
  "tr-deploy-43-wait",
  "tr-lint-7",
  "tr-lint-7-retry",
  "tr-test-ui-e2e",
  "tr-test-ui-report",
  "tr-test-ui-unit",
];

const ALL_RESULTS = [
  "build-feature",
  "build-main",
  "deploy-42",
  "deploy-43",
  "lint-7",
  "nightly",
  "scratch",
  "test-ui",
];

function results(name: string, filter: string, expected: string[]): FilterCase {
  return { name, target: "results", filter, expected };
}

function records(name: string, filter: string, expected: string[]): FilterCase {
  return { name, target: "records", filter, expected };
}

/** The filter table: every construct of the filter language, on both targets. */
export const filterCases: FilterCase[] = [
  // ---------------------------------------------------------------- results
  results("literal true selects everything", "true", ALL_RESULTS),
  results("status enum constant", "summary.status == SUCCESS", ["build-main", "lint-7"]),
  results("qualified status enum", "summary.status == RecordSummary.FAILURE", [
    "build-feature",
    "test-ui",
  ]),
  results("!= skips results without a summary", "summary.status != SUCCESS", [
    "build-feature",
    "deploy-42",
    "deploy-43",
    "scratch",
    "test-ui",
  ]),
  results("negated equality skips results without a summary", "!(summary.status == SUCCESS)", [
    "build-feature",
    "deploy-42",
    "deploy-43",
    "scratch",
    "test-ui",
  ]),
  results("status in a list of enum names", "summary.status in [TIMEOUT, CANCELLED]", [
    "deploy-42",
    "deploy-43",
  ]),
  results("summary type constant", "summary.type == PIPELINE_RUN", [
    "build-feature",
    "build-main",
    "deploy-42",
    "deploy-43",
  ]),
  results("type and parent", 'summary.type == TASK_RUN && parent == "ci-prod"', ["lint-7"]),
  results("parent equality", 'parent == "dev"', ["scratch", "test-ui"]),
  results("parent inequality", 'parent != "default"', [
    "deploy-42",
    "deploy-43",
    "lint-7",
    "scratch",
    "test-ui",
  ]),
  results("uid", 'uid == "00000000-0000-4000-8000-000000000003"', ["nightly"]),
  results("annotation key in map", '"env" in annotations', ["deploy-42", "deploy-43"]),
  results("annotation by index", 'annotations["branch"] == "main"', ["build-main", "test-ui"]),
  results("annotation startsWith", 'annotations.branch.startsWith("feature/")', ["build-feature"]),
  results("has on a missing annotation", "!has(annotations.branch)", [
    "deploy-42",
    "deploy-43",
    "lint-7",
    "nightly",
    "scratch",
  ]),
  results("has on a summary time", "has(summary.end_time)", [
    "build-feature",
    "build-main",
    "deploy-43",
    "lint-7",
    "test-ui",
  ]),
  results("negated has on a summary time", "!has(summary.start_time)", ["nightly", "scratch"]),
  results("has summary", "has(summary.annotations)", [
    "build-feature",
    "build-main",
    "deploy-42",
    "deploy-43",
    "lint-7",
    "scratch",
    "test-ui",
  ]),
  results(
    "summary annotation with a slash",
    'summary.annotations["tekton.dev/pipeline"] == "build"',
    ["build-main"],
  ),
  results("summary annotation by field", 'summary.annotations.flaky == "true"', ["test-ui"]),
  results(
    "run duration from summary times",
    'summary.end_time - summary.start_time > duration("30m")',
    ["build-feature", "deploy-43"],
  ),
  results("short runs", 'summary.end_time - summary.start_time < duration("1m")', ["lint-7"]),
  results(
    "create time range",
    'create_time >= timestamp("2026-02-01T00:00:00Z") && create_time < timestamp("2026-03-01T00:00:00Z")',
    ["deploy-42", "deploy-43", "lint-7"],
  ),
  results("getFullYear", "create_time.getFullYear() == 2025", ["scratch"]),
  results("getHours of a summary time", "summary.start_time.getHours() == 23", ["build-feature"]),
  results("getDayOfWeek (Monday)", "summary.start_time.getDayOfWeek() == 1", [
    "build-main",
    "deploy-43",
  ]),
  results("getMonth and getDate", "update_time.getMonth() == 0 && update_time.getDate() == 7", [
    "build-feature",
    "nightly",
  ]),
  results("getHours in a positive offset", 'summary.start_time.getHours("+05:30") == 5', [
    "build-feature",
  ]),
  results("getDate in a negative offset", 'summary.start_time.getDate("-10:30") == 4', [
    "build-main",
  ]),
  results("getMilliseconds", "create_time.getMilliseconds() == 250", ["deploy-42"]),
  results("summary record endsWith", 'summary.record.endsWith("/records/custom-1")', ["scratch"]),
  results("contains or UNKNOWN", 'summary.type.contains("Custom") || summary.status == UNKNOWN', [
    "scratch",
  ]),
  results("size of the annotations map", "size(annotations) >= 2", [
    "build-feature",
    "build-main",
    "deploy-42",
  ]),
  results("exists over annotation keys", 'annotations.exists(k, k.startsWith("t"))', ["deploy-42"]),
  results("all over annotation keys (empty maps too)", 'annotations.all(k, k == "env")', [
    "deploy-43",
    "lint-7",
    "nightly",
  ]),
  results("upperAscii leaves non-ASCII alone", 'annotations.owner.upperAscii() == "ZOë"', [
    "scratch",
  ]),
  results(
    "ternary with an absent test",
    'summary.status > 1 ? summary.end_time > timestamp("2026-02-01T00:00:00Z") : true',
    ["build-main", "deploy-43", "lint-7", "scratch", "test-ui"],
  ),
  results("string() and concatenation", 'string(summary.status) + "/" + parent == "1/ci-prod"', [
    "lint-7",
  ]),
  results("int arithmetic on a column", "summary.status * 2 + 1 == 5", [
    "build-feature",
    "test-ui",
  ]),
  results(
    "timestamp plus duration",
    'summary.start_time + duration("1h") > timestamp("2026-02-02T09:59:00Z") && summary.start_time < timestamp("2026-02-03T00:00:00Z")',
    ["deploy-43"],
  ),
  results("parent matches", 'parent.matches("^ci-")', ["deploy-42", "deploy-43", "lint-7"]),
  results("annotation in a list", 'annotations.branch in ["main", "develop"]', [
    "build-main",
    "test-ui",
  ]),
  // CEL: `in` on a missing key is an error, so its negation selects nothing either.
  results("negated in with an absent value", '!(annotations.branch in ["main"])', [
    "build-feature",
  ]),
  results("string ordering", 'annotations.repo < "github.com/b"', ["build-feature", "build-main"]),
  results("string ordering by code point", 'annotations.branch > "feature/z"', [
    "build-feature",
    "build-main",
    "test-ui",
  ]),

  // ---------------------------------------------------------------- records
  records("literal true selects everything", "true", ALL_RECORDS),
  records("data_type constant", "data_type == PIPELINE_RUN", [
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-deploy-42",
    "pr-deploy-43",
    "pr-nightly-1",
    "pr-test-ui-1",
  ]),
  records("data_type and parent", 'data_type == TASK_RUN && parent == "default"', [
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
  ]),
  records("label with a slash", 'data.metadata.labels["tekton.dev/pipeline"] == "build"', [
    "pr-build-feature-1",
    "pr-build-main-1",
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
  ]),
  records("condition reason", 'data.status.conditions[0].reason == "Failed"', [
    "pr-build-feature-1",
    "pr-test-ui-1",
    "tr-build-feature-compile",
    "tr-lint-7-retry",
    "tr-test-ui-e2e",
  ]),
  records(
    "condition reason inequality skips missing conditions",
    'data.status.conditions[0].reason != "Succeeded"',
    [
      "pr-build-feature-1",
      "pr-deploy-42",
      "pr-deploy-43",
      "pr-nightly-1",
      "pr-test-ui-1",
      "tr-build-feature-compile",
      "tr-deploy-42-apply",
      "tr-deploy-43-wait",
      "tr-lint-7-retry",
      "tr-test-ui-e2e",
      "tr-test-ui-report",
    ],
  ),
  records("negated comparison with a missing field", '!(data.missing == "x")', []),
  records("inequality with a missing field", 'data.missing != "x"', []),
  records("has on a missing object", "!has(data.status)", ["custom-2"]),
  records("has on a nested field", "has(data.status.completionTime)", [
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-deploy-42",
    "pr-deploy-43",
    "pr-test-ui-1",
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-deploy-42-apply",
    "tr-deploy-43-wait",
    "tr-lint-7",
    "tr-test-ui-e2e",
    "tr-test-ui-unit",
  ]),
  records("negated has is absent under a missing parent", "!has(data.status.completionTime)", [
    "custom-1",
    "log-build-feature",
    "pr-nightly-1",
    "tr-lint-7-retry",
    "tr-test-ui-report",
  ]),
  records("numbers compare as numbers", "data.spec.retries > 9", ["tr-build-main-compile"]),
  records("number range", "data.spec.retries >= 2", [
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-deploy-42-apply",
    "tr-lint-7",
    "tr-test-ui-e2e",
  ]),
  records("string equality does not match numbers", 'data.spec.retries == "3"', [
    "tr-lint-7-retry",
  ]),
  records("number equality does not match strings", "data.spec.retries == 3", ["tr-lint-7"]),
  // CEL's equality is heterogeneous: the string "3" is not 3, so `!(… == 3)` selects it.
  records("negated mixed-type equality is heterogeneous", "!(data.spec.retries == 3)", [
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-deploy-42-apply",
    "tr-deploy-43-wait",
    "tr-lint-7-retry",
    "tr-test-ui-e2e",
    "tr-test-ui-unit",
  ]),
  records("addition on a JSON number", "data.spec.retries + 1.0 == 11.0", [
    "tr-build-main-compile",
  ]),
  // CEL: a JSON number is a double; double + int and double % int have no overload.
  records("an int added to a JSON number is an error", "data.spec.retries + 1 == 11", []),
  records("modulo on a JSON number is an error", "data.spec.retries % 2 == 1", []),
  records("modulo on int() of a JSON value", "int(data.spec.retries) % 2 == 1", [
    "tr-build-feature-compile",
    "tr-build-main-scan",
    "tr-deploy-43-wait",
    "tr-lint-7",
    "tr-lint-7-retry",
  ]),
  records("division of a JSON number is real", "data.spec.retries / 4.0 == 2.5", [
    "tr-build-main-compile",
  ]),
  records("a JSON number divided by an int is an error", "data.spec.retries / 4 == 2.5", []),
  records("double range", "data.count > 9 && data.count < 10", ["custom-2"]),
  records("int compared with a double", "data.status.size == 2048.0", ["log-build-feature"]),
  records("unary minus", "-data.spec.retries < -9", ["tr-build-main-compile"]),
  records(
    "JSON timestamps compared with a timestamp",
    'data.status.startTime >= timestamp("2026-02-01T00:00:00Z")',
    [
      "pr-deploy-42",
      "pr-deploy-43",
      "pr-test-ui-1",
      "tr-deploy-42-apply",
      "tr-deploy-43-wait",
      "tr-lint-7",
      "tr-test-ui-e2e",
      "tr-test-ui-report",
      "tr-test-ui-unit",
    ],
  ),
  records(
    "JSON timestamp with an offset",
    'data.status.startTime == timestamp("2026-02-02T09:00:00Z")',
    ["pr-deploy-43"],
  ),
  records(
    "JSON timestamp with nanoseconds",
    'data.status.startTime < timestamp("2026-01-05T10:12:21.5Z") && data.status.startTime > timestamp("2026-01-05T10:12:21Z")',
    ["tr-build-main-scan"],
  ),
  records(
    "a non-timestamp string is absent",
    '!(data.status.startTime < timestamp("2030-01-01T00:00:00Z"))',
    [],
  ),
  records(
    "duration between JSON timestamps",
    'timestamp(data.status.completionTime) - timestamp(data.status.startTime) > duration("30m")',
    ["pr-build-feature-1", "pr-deploy-43", "tr-build-feature-compile", "tr-deploy-43-wait"],
  ),
  records(
    "JSON timestamp minus a timestamp",
    'data.status.completionTime - timestamp(data.status.startTime) < duration("1m")',
    ["tr-build-main-scan", "tr-lint-7"],
  ),
  records(
    "JSON timestamp plus a duration",
    'data.status.startTime + duration("2h") < timestamp("2026-01-05T12:00:30Z")',
    ["pr-build-main-1", "tr-build-main-fetch"],
  ),
  records("JSON timestamp against a column", "timestamp(data.status.startTime) < create_time", [
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-deploy-42",
  ]),
  records("create time before", 'create_time < timestamp("2026-01-01T00:00:00Z")', ["custom-1"]),
  records(
    "create time closed range",
    'create_time >= timestamp("2026-01-01T00:00:00Z") && create_time <= timestamp("2026-01-05T10:00:05Z")',
    ["custom-2", "pr-build-main-1", "tr-build-main-fetch"],
  ),
  records(
    "timestamp difference equals a duration",
    'update_time - create_time == duration("1m")',
    ALL_RECORDS,
  ),
  records("getHours of a JSON timestamp", "data.status.startTime.getHours() == 16", [
    "pr-test-ui-1",
    "tr-test-ui-e2e",
    "tr-test-ui-report",
    "tr-test-ui-unit",
  ]),
  records("getHours of a column", "create_time.getHours() == 23", [
    "custom-1",
    "pr-build-feature-1",
    "tr-build-feature-compile",
  ]),
  records("getDayOfYear first day", "create_time.getDayOfYear() == 0", ["custom-2"]),
  records("getDayOfYear last day", "create_time.getDayOfYear() == 364", ["custom-1"]),
  records(
    "getDayOfMonth and getMonth",
    "create_time.getDayOfMonth() == 0 && create_time.getMonth() == 1",
    ["pr-deploy-42", "tr-deploy-42-apply"],
  ),
  records("getSeconds", "create_time.getSeconds() == 59", ["custom-1"]),
  records(
    "getFullYear across an offset",
    'create_time.getFullYear("+01:00") == 2026 && create_time.getFullYear() == 2025',
    ["custom-1"],
  ),
  records("getDayOfWeek (Sunday)", "timestamp(data.status.startTime).getDayOfWeek() == 0", [
    "pr-deploy-42",
    "tr-deploy-42-apply",
  ]),
  records("size() of a JSON list", "size(data.status.steps) >= 2", [
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-test-ui-unit",
  ]),
  records("size method of an empty list", "data.status.steps.size() == 0", ["tr-lint-7-retry"]),
  records("size of a string counts code points", "size(data.note) == 9", ["custom-1"]),
  records("size of a JSON object", "size(data.metadata.labels) == 3", [
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-test-ui-e2e",
    "tr-test-ui-unit",
  ]),
  records("exists over steps", "data.status.steps.exists(s, s.terminated.exitCode != 0)", [
    "tr-build-feature-compile",
    "tr-deploy-42-apply",
    "tr-test-ui-e2e",
  ]),
  records(
    "all over steps (empty list too)",
    "data.status.steps.all(s, s.terminated.exitCode == 0)",
    [
      "tr-build-main-compile",
      "tr-build-main-fetch",
      "tr-build-main-scan",
      "tr-deploy-43-wait",
      "tr-lint-7",
      "tr-lint-7-retry",
      "tr-test-ui-unit",
    ],
  ),
  records("exists_one over params", 'data.spec.params.exists_one(p, p.name == "revision")', [
    "pr-build-feature-1",
    "pr-build-main-1",
  ]),
  records(
    "exists over a list literal",
    '["deploy", "test"].exists(p, data.metadata.labels["tekton.dev/pipeline"] == p)',
    [
      "pr-deploy-42",
      "pr-deploy-43",
      "pr-test-ui-1",
      "tr-deploy-42-apply",
      "tr-deploy-43-wait",
      "tr-test-ui-e2e",
      "tr-test-ui-report",
      "tr-test-ui-unit",
    ],
  ),
  records("exists over map keys", 'data.metadata.labels.exists(k, k.startsWith("app."))', [
    "pr-deploy-42",
  ]),
  records(
    "nested comprehensions",
    'data.spec.params.exists(p, p.name == "args" && p.value.exists(a, a.startsWith("--timeout")))',
    ["tr-lint-7"],
  ),
  records("exists over a non-list is absent", "data.spec.values.exists(v, v > 50)", ["custom-1"]),
  records("all over numbers", "data.spec.values.all(v, v < 200)", ["custom-1"]),
  records("JSON list elements compare as numbers", "data.spec.values[1] > data.spec.values[2]", [
    "custom-1",
  ]),
  records(
    "exists with two conditions",
    'data.status.conditions.exists(c, c.type == "Succeeded" && c.status == "Unknown")',
    ["pr-nightly-1", "tr-test-ui-report"],
  ),
  records(
    "in a list literal",
    'data.metadata.labels["tekton.dev/pipelineTask"] in ["compile", "apply"]',
    ["tr-build-feature-compile", "tr-build-main-compile", "tr-deploy-42-apply"],
  ),
  records("in a JSON list", '"--fast" in data.spec.params[0].value', ["tr-lint-7"]),
  records("in a JSON object's keys", '"app" in data.metadata.labels', [
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-test-ui-1",
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-test-ui-e2e",
    "tr-test-ui-unit",
  ]),
  records("not in a JSON object's keys", '!("app" in data.metadata.labels)', [
    "custom-1",
    "pr-deploy-42",
    "pr-deploy-43",
    "pr-nightly-1",
    "tr-deploy-42-apply",
    "tr-deploy-43-wait",
    "tr-lint-7",
    "tr-lint-7-retry",
    "tr-test-ui-report",
  ]),
  records("number in a list of ints", "data.spec.retries in [0, 1]", [
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-deploy-43-wait",
    "tr-test-ui-unit",
  ]),
  records("name column in a list", 'name in ["custom-1", "tr-lint-7", "nope"]', [
    "custom-1",
    "tr-lint-7",
  ]),
  records("startsWith", 'data.metadata.name.startsWith("tr-test")', [
    "tr-test-ui-e2e",
    "tr-test-ui-report",
    "tr-test-ui-unit",
  ]),
  records("endsWith on the name column", 'name.endsWith("-compile")', [
    "tr-build-feature-compile",
    "tr-build-main-compile",
  ]),
  records("contains with unicode", 'data.spec.params[0].value.contains("ünï")', [
    "pr-build-feature-1",
  ]),
  records("endsWith with unicode", 'data.metadata.annotations.note.endsWith("✓")', [
    "tr-build-main-scan",
  ]),
  records(
    "matches with groups and alternation",
    'data.status.conditions[0].reason.matches("^(TaskRun|PipelineRun)(Timeout|Cancelled)$")',
    ["pr-deploy-43", "tr-deploy-42-apply", "tr-deploy-43-wait"],
  ),
  records("matches is a search", 'name.matches("[0-9]{2}")', [
    "pr-deploy-42",
    "pr-deploy-43",
    "tr-deploy-42-apply",
    "tr-deploy-43-wait",
  ]),
  records("matches with the case-insensitive flag (RE2)", 'name.matches("(?i)^TR-LINT")', [
    "tr-lint-7",
    "tr-lint-7-retry",
  ]),
  records("matches with a scoped case-insensitive group", 'name.matches("^(?i:TR)-lint-7$")', [
    "tr-lint-7",
  ]),
  records("matches with \\d and the \\z anchor", 'name.matches("-\\\\d+\\\\z")', [
    "custom-1",
    "custom-2",
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-deploy-42",
    "pr-deploy-43",
    "pr-nightly-1",
    "pr-test-ui-1",
    "tr-lint-7",
  ]),
  records("matches with POSIX classes", 'name.matches("^[[:alpha:]]+-[[:digit:]]+$")', [
    "custom-1",
    "custom-2",
  ]),
  records("matches with word boundaries", 'name.matches("\\\\bmain\\\\b")', [
    "pr-build-main-1",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
  ]),
  records("matches: dot is one code point", 'data.note.matches("^Zo.\\\\s.$")', ["custom-2"]),
  records("matches case-insensitive unicode", 'data.note.matches("(?i)^zOË")', ["custom-2"]),
  records(
    "string concatenation of JSON values",
    'data.metadata.namespace + "/" + data.metadata.name == "ci-prod/tr-lint-7"',
    ["tr-lint-7"],
  ),
  records("string concatenation of columns", 'parent + "/" + result_name == "dev/scratch"', [
    "custom-1",
    "custom-2",
  ]),
  records(
    "ternary choosing a JSON path",
    '(data.kind == "PipelineRun" ? data.spec.pipelineRef.name : data.metadata.labels["tekton.dev/pipeline"]) == "deploy"',
    ["pr-deploy-42", "pr-deploy-43", "tr-deploy-42-apply", "tr-deploy-43-wait"],
  ),
  records(
    "ternaries in arithmetic",
    "(data_type == TASK_RUN ? 1 : 0) + (has(data.spec.retries) ? 1 : 0) == 2",
    [
      "tr-build-feature-compile",
      "tr-build-main-compile",
      "tr-build-main-fetch",
      "tr-build-main-scan",
      "tr-deploy-42-apply",
      "tr-deploy-43-wait",
      "tr-lint-7",
      "tr-test-ui-e2e",
      "tr-test-ui-unit",
    ],
  ),
  records("int() of a JSON string", "int(data.spec.params[1].value) >= 3", [
    "pr-deploy-42",
    "pr-test-ui-1",
  ]),
  records("int() of a number or a numeric string", "int(data.spec.retries) == 3", [
    "tr-lint-7",
    "tr-lint-7-retry",
  ]),
  records("double() of a JSON string", "double(data.spec.params[1].value) / 2.0 == 2.0", [
    "pr-test-ui-1",
  ]),
  records("string() of a JSON number", 'string(data.status.size) == "2048"', ["log-build-feature"]),
  records("string() of a number or a string", 'string(data.spec.retries) == "3"', [
    "tr-lint-7",
    "tr-lint-7-retry",
  ]),
  records("lowerAscii", 'data.note.lowerAscii() == "zoë 👍"', ["custom-2"]),
  records("upperAscii", 'data.metadata.labels.app.upperAscii() == "UI"', [
    "pr-test-ui-1",
    "tr-test-ui-e2e",
    "tr-test-ui-unit",
  ]),
  records("equality with JSON null", 'data.metadata.labels["tekton.dev/pipeline"] == null', [
    "custom-1",
  ]),
  records("inequality with JSON null", 'data.metadata.labels["tekton.dev/pipeline"] != null', [
    "pr-build-feature-1",
    "pr-build-main-1",
    "pr-deploy-42",
    "pr-deploy-43",
    "pr-nightly-1",
    "pr-test-ui-1",
    "tr-build-feature-compile",
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
    "tr-deploy-42-apply",
    "tr-deploy-43-wait",
    "tr-test-ui-e2e",
    "tr-test-ui-report",
    "tr-test-ui-unit",
  ]),
  records("deep path", 'data.spec.nested.deep.deeper.deepest == "ok"', ["custom-1"]),
  records("result_name and data_type", 'result_name == "build-main" && data_type != PIPELINE_RUN', [
    "tr-build-main-compile",
    "tr-build-main-fetch",
    "tr-build-main-scan",
  ]),
  records(
    "odd type",
    'data_type.startsWith("tekton.dev/") && !(data_type in [PIPELINE_RUN, TASK_RUN])',
    ["tr-lint-7-retry"],
  ),
  records("uid column", 'uid == "00000000-0000-4000-8000-000000000107"', ["log-build-feature"]),
  records(
    "or with absent operands",
    'data.kind == "Log" || data.status.conditions[0].reason == "Running"',
    ["log-build-feature", "pr-nightly-1", "tr-test-ui-report"],
  ),
  records(
    "and with an absent operand",
    'data.kind == "Custom" && data.status.conditions.size() == 0',
    ["custom-1"],
  ),
  records("bool equality", "(data.spec.retries > 5) == true", [
    "tr-build-feature-compile",
    "tr-build-main-compile",
  ]),
];

/** Filters that must be rejected with a `FilterError` whose message includes `messageIncludes`. */
export const invalidFilterCases: InvalidFilterCase[] = [
  {
    name: "non-boolean string",
    target: "records",
    filter: "data_type",
    messageIncludes: "must be a boolean expression, got string",
  },
  {
    name: "non-boolean int",
    target: "results",
    filter: "summary.status + 1",
    messageIncludes: "must be a boolean expression, got int",
  },
  {
    name: "unknown variable",
    target: "records",
    filter: "foo == 1",
    messageIncludes: 'undeclared reference to "foo"',
  },
  {
    name: "data is not a results variable",
    target: "results",
    filter: 'data.x == "y"',
    messageIncludes: 'undeclared reference to "data"',
  },
  {
    name: "summary is not a records variable",
    target: "records",
    filter: "summary.status == 1",
    messageIncludes: 'undeclared reference to "summary"',
  },
  {
    name: "unknown function",
    target: "records",
    filter: "name.bar()",
    messageIncludes: 'unsupported function "bar"',
  },
  { name: "syntax error", target: "records", filter: "name == ", messageIncludes: "syntax error" },
  {
    name: "unterminated string",
    target: "records",
    filter: 'data.x == "open',
    messageIncludes: "syntax error",
  },
  {
    name: "int column against a string",
    target: "results",
    filter: 'summary.status == "SUCCESS"',
    messageIncludes: "cannot compare int with string",
  },
  {
    name: "timestamp column against a string",
    target: "records",
    filter: 'create_time > "2026-01-01T00:00:00Z"',
    messageIncludes: "cannot compare timestamp with string",
  },
  {
    name: "string column against an int",
    target: "results",
    filter: "parent > 5",
    messageIncludes: "cannot compare string with int",
  },
  {
    name: "string column against null",
    target: "records",
    filter: "name == null",
    messageIncludes: "cannot compare string with null",
  },
  {
    name: "unknown summary field",
    target: "results",
    filter: "summary.foo == 1",
    messageIncludes: 'unknown field "foo" of summary',
  },
  {
    name: "non-constant index",
    target: "records",
    filter: "data.x[name] == 1",
    messageIncludes: "index must be a constant",
  },
  {
    name: "invalid timestamp literal",
    target: "records",
    filter: 'timestamp("2026-13-01T00:00:00Z") < create_time',
    messageIncludes: "invalid timestamp",
  },
  {
    name: "invalid duration literal",
    target: "records",
    filter: 'create_time - update_time > duration("1 hour")',
    messageIncludes: "invalid duration",
  },
  {
    name: "JSON value against a duration",
    target: "records",
    filter: 'data.x > duration("1h")',
    messageIncludes: "cannot compare a JSON value with a duration",
  },
  {
    name: "unsupported regular expression",
    target: "records",
    filter: 'name.matches("(?=a)")',
    messageIncludes: "regular expression",
  },
  {
    name: "RE2 refuses a backreference",
    target: "records",
    filter: 'name.matches("(a)\\\\1")',
    messageIncludes: "(RE2 syntax): invalid escape sequence",
  },
  {
    name: "RE2 refuses lookbehind",
    target: "records",
    filter: 'name.matches("(?<=a)b")',
    messageIncludes: "(RE2 syntax)",
  },
  {
    name: "RE2 refuses a possessive quantifier",
    target: "records",
    filter: 'name.matches("a++")',
    messageIncludes: "(RE2 syntax): invalid nested repetition operator",
  },
  {
    name: "RE2 refuses a repeat count above 1000",
    target: "records",
    filter: 'name.matches("a{1001}")',
    messageIncludes: "(RE2 syntax): invalid repeat count",
  },
  {
    name: "unsupported macro",
    target: "records",
    filter: "size(data.x.map(v, v)) > 0",
    messageIncludes: 'unsupported macro "map"',
  },
  {
    name: "integer out of range",
    target: "records",
    filter: "data.x == 9007199254740993",
    messageIncludes: "out of range",
  },
  {
    name: "arithmetic on a string column",
    target: "records",
    filter: "name - 1 == 2",
    messageIncludes: "operator - cannot be applied to string and int",
  },
  {
    name: "negation of a string",
    target: "records",
    filter: "!name",
    messageIncludes: "operator ! needs a bool operand",
  },
  {
    name: "named time zone",
    target: "records",
    filter: 'create_time.getHours("America/New_York") == 1',
    messageIncludes: "unsupported time zone",
  },
  {
    name: "has without a field",
    target: "results",
    filter: "has(annotations)",
    messageIncludes: "has() needs a field selection",
  },
  {
    name: "unsigned literal",
    target: "records",
    filter: "data.n == 1u",
    messageIncludes: "unsigned integers are not supported",
  },
  {
    name: "map literal",
    target: "records",
    filter: '{"a": 1}.a == 1',
    messageIncludes: "map and message literals are not supported",
  },
  {
    name: "wrong argument type",
    target: "records",
    filter: "size(create_time) > 0",
    messageIncludes: "no matching overload",
  },
  {
    name: "too long",
    target: "records",
    filter: `${'name == "x" || '.repeat(2000)}true`,
    messageIncludes: "too long",
  },
  {
    name: "too many brackets",
    target: "records",
    filter: `${"(".repeat(200)}true${")".repeat(200)}`,
    messageIncludes: "nested too deeply",
  },
  {
    name: "too many operators",
    target: "records",
    filter: `${"1 + ".repeat(200)}1 == 201`,
    messageIncludes: "nested too deeply",
  },
];
