// Prints the suite's closing line, `tests: N passed, N failed, N skipped`, from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2];
if (reportPath === undefined || !existsSync(reportPath)) {
  process.stderr.write(`no test report at ${reportPath ?? '(none given)'}: the test run did not finish\n`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
};
const skipped = report.numPendingTests + report.numTodoTests;
process.stdout.write(
  `\ntests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`,
);
process.exit(report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0);
