import type { LabReport } from './run-lab.ts';

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${Math.round(ms / 1000)} s`;
}

/** The score table printed after a run (Markdown, so it can be pasted into docs/lab.md). */
export function formatLabReport(report: LabReport): string {
  const lines = [`| scenario | expectation | result | time to detect | observed |`, `|---|---|---|---|---|`];
  for (const scenario of report.scenarios) {
    if (scenario.error !== null) {
      lines.push(`| ${scenario.scenario} | (run) | FAIL | - | ${scenario.error} |`);
    }
    for (const score of scenario.scores) {
      lines.push(
        `| ${scenario.scenario} | ${score.label} | ${score.pass ? 'pass' : 'FAIL'} | ${seconds(score.timeToDetectMs)} | ${score.detail} |`,
      );
    }
  }
  const failed = report.scenarios.filter((scenario) => !scenario.passed).map((s) => s.scenario);
  lines.push(
    '',
    `${report.mode} lab: ${report.scenarios.length - failed.length}/${report.scenarios.length} scenarios passed${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}`,
  );
  const confusion = new Map<string, number>();
  for (const scenario of report.scenarios) {
    for (const row of scenario.confusion.rows) {
      const key = `${row.expected} → ${row.observed ?? 'unobserved'}`;
      confusion.set(key, (confusion.get(key) ?? 0) + 1);
    }
  }
  if (confusion.size > 0) {
    lines.push('', '| expected → observed | state expectations |', '|---|---|');
    for (const [key, count] of [...confusion].sort()) lines.push(`| ${key} | ${count} |`);
  }
  const notes = report.scenarios.flatMap((scenario) =>
    scenario.notes.map((note) => `- ${scenario.scenario}: ${note}`),
  );
  if (notes.length > 0) lines.push('', 'Not applied as written:', ...notes);
  return lines.join('\n');
}
