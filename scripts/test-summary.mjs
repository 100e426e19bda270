// Prints "N passed, N failed" from vitest's JSON report and exits non-zero on
// any failure, on a missing report, or when the test command itself failed.
// The failed tests and files (with the first line of their error) are listed
// just above that line, so a log's tail names what failed.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const [reportPath = ".vitest-report.json", statusArg = "0"] = process.argv.slice(2);
const status = Number(statusArg);
if (!existsSync(reportPath)) {
  console.log("0 passed, 1 failed");
  console.error(`no vitest report at ${reportPath} (test command exited ${status})`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));

/** First non-empty line of an error text, without ANSI colours, at most 300 characters. */
function firstLine(text) {
  const line =
    String(text ?? "")
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, "")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  return line.trim().slice(0, 300);
}

const failures = [];
// Files that failed without a failed test (an import error, a failing hook):
// vitest's numFailedTestSuites also counts every describe block around a
// failed test, so it is not added as it is.
let failedFiles = 0;
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name ?? "");
  for (const test of file.assertionResults ?? []) {
    if (test.status === "failed") {
      failures.push(`FAILED ${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
  }
  const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed").length;
  if (file.status === "failed" && failedTests === 0) {
    failedFiles += 1;
    failures.push(`FAILED ${name} (the file): ${firstLine(file.message)}`);
  }
}
for (const line of failures) console.log(line);

const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + failedFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || status !== 0 || passed === 0 ? 1 : 0);
