import { describe, expect, it } from "vitest";
import { compileFilter } from "./cel.js";
import { FilterError } from "./errors.js";

function failure(expression: string): FilterError {
  try {
    compileFilter(expression, { target: "records" });
  } catch (err) {
    if (err instanceof FilterError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(expression)} to be refused`);
}

describe("CEL syntax errors say what is missing", () => {
  // [expression, message, zero-based position]
  const cases: [string, string, number][] = [
    // The two reports: the parser said "found = but expecting end of input"
    // and "found a but expecting end of input".
    [
      "data.status.conditions[0].reason == ",
      'syntax error at 1:37: missing operand after "=="',
      36,
    ],
    [
      'data.status.conditions[0].reason == "Failed" and data_type == TASK_RUN',
      'syntax error at 1:46: "and" is not a CEL operator: use &&',
      45,
    ],
    [
      'data.a == "x" OR data.b == 1',
      'syntax error at 1:15: "OR" is not a CEL operator: use ||',
      14,
    ],
    ["not has(data.a)", 'syntax error at 1:1: "not" is not a CEL operator: use !', 0],
    ['data.a == "x" && not data.b', '"not" is not a CEL operator: use !', 17],
    ["data.a = 1", 'syntax error at 1:8: "=" is not a comparison: use ==', 7],
    ["data.a === 1", '"===" is not a CEL operator: use ==', 7],
    ["data.a == 1 & data.b == 2", '"&" is not a CEL operator: use &&', 12],
    ["data.a == 1 | data.b == 2", '"|" is not a CEL operator: use ||', 12],
    ["data.a &&", 'missing operand after "&&"', 9],
    ["data.a == 1 && data.b ==", 'missing operand after "=="', 24],
    ["data.a == 1 && (data.b || ", '"(" is never closed (no ")")', 15],
    ["(data.a == 1", 'syntax error at 1:1: "(" is never closed (no ")")', 0],
    ["data.a == 1)", 'syntax error at 1:12: unmatched ")"', 11],
    ["data.a[0) == 1", '")" does not close "["', 8],
    ['data.a == "open', 'syntax error at 1:11: string literal is never closed (no ")', 10],
    ["data.a. == 1", 'missing field name after "."', 6],
    ["1 +* 2 == 3", 'expected an operand, found "*"', 3],
    ["data.a == 1 &&\n  data.b ==", 'syntax error at 2:12: missing operand after "=="', 26],
  ];
  for (const [expression, message, position] of cases) {
    it(`${JSON.stringify(expression)} -> ${message}`, () => {
      const err = failure(expression);
      expect(err.message).toContain(message);
      expect(err.position).toBe(position);
    });
  }

  it("ignores brackets and quotes inside strings and comments", () => {
    // Brackets and quotes inside string literals and comments are not counted.
    expect(() =>
      compileFilter('data.a == "(" && data.b == \'"\'', { target: "records" }),
    ).not.toThrow();
    expect(() =>
      compileFilter('data.a == """multi "quoted" (line)""" // a comment (\n', {
        target: "records",
      }),
    ).not.toThrow();
    expect(() => compileFilter("data.a == 'it\\'s'", { target: "records" })).not.toThrow();
    // A raw string's backslash escapes nothing: r'\' is a closed string.
    expect(() =>
      compileFilter("data.a == r'\\' && data.b == 'x'", { target: "records" }),
    ).not.toThrow();
  });

  it("keeps the parser's message, shortened, for what it does not recognise", () => {
    const err = failure("data.a == 1 2");
    expect(err.message).toMatch(/^syntax error at 1:\d+: /);
    expect(err.message.length).toBeLessThanOrEqual(220);
  });
});
