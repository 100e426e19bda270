// Prints "N passed, N failed" from vitest's JSON report and exits non-zero on
// any failure, on a missing report, or when the test command itself failed.
import { existsSync, readFileSync } from "node:fs";

const [reportPath = ".vitest-report.json", statusArg = "0"] = process.argv.slice(2);
const status = Number(statusArg);
if (!existsSync(reportPath)) {
  console.log("0 passed, 1 failed");
  console.error(`no vitest report at ${reportPath} (test command exited ${status})`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || status !== 0 || passed === 0 ? 1 : 0);
