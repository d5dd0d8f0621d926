// Prints the suite's closing line, `tests: N passed, N failed, N skipped`, from vitest's JSON report,
// names every test that failed (file and full name, so the end of a long CI log still says which),
// and every test file that failed outside its tests (a hook or an import): its tests count as
// skipped, so the counts alone would look green.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

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
  testResults: Array<{
    name: string;
    status: string;
    message: string;
    assertionResults: Array<{ status: string; fullName: string; failureMessages?: string[] }>;
  }>;
};
const brokenFiles = report.testResults.filter(
  (file) => file.status === 'failed' && file.assertionResults.every((test) => test.status !== 'failed'),
);
const skipped = report.numPendingTests + report.numTodoTests;
const broken = brokenFiles.length === 0 ? '' : `, ${brokenFiles.length} test file(s) failed outside a test`;
process.stdout.write(
  `\ntests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped${broken}\n`,
);
for (const file of report.testResults) {
  for (const test of file.assertionResults.filter((result) => result.status === 'failed')) {
    const firstLine = test.failureMessages?.[0]?.split('\n')[0] ?? '';
    process.stdout.write(
      `  FAIL ${relative(process.cwd(), file.name)} > ${test.fullName}: ${firstLine.slice(0, 300)}\n`,
    );
  }
}
for (const file of brokenFiles) {
  const firstLine = file.message.split('\n')[0] ?? '';
  process.stdout.write(`  ${relative(process.cwd(), file.name)}: ${firstLine}\n`);
}
process.exit(report.numFailedTests > 0 || brokenFiles.length > 0 || report.numTotalTests === 0 ? 1 : 0);
