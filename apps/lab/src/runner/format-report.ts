import type { LabReport } from './run-lab.ts';
import type { ScenarioReport } from './run-scenario.ts';

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${Math.round(ms / 1000)} s`;
}

/**
 * Beyond this, a stack's aggregator was behind its own agents: evaluation passes come every 3 s in the
 * lab, and a pass under load takes a few more.
 */
const NOTABLE_EVALUATION_LAG_MS = 10_000;

/**
 * Why a failed scenario may have missed its bounds without a detection fault: its stack judged
 * windows late (the aggregator waits for accepted batches; on an overloaded machine they queue).
 * Empty when the stack kept up.
 */
export function stackLagRemark(scenario: Pick<ScenarioReport, 'longestEvaluationLagMs'>): string {
  if (scenario.longestEvaluationLagMs < NOTABLE_EVALUATION_LAG_MS) return '';
  return `its stack judged windows up to ${seconds(scenario.longestEvaluationLagMs)} late (ingest behind its agents: the machine's load)`;
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
  const retried = new Set(report.failedAttempts.map((attempt) => attempt.scenario));
  const flaky = report.scenarios.filter((s) => s.passed && retried.has(s.scenario)).map((s) => s.scenario);
  lines.push(
    '',
    `${report.mode} lab: ${report.scenarios.length - failed.length}/${report.scenarios.length} scenarios passed${flaky.length === 0 ? '' : ` (${flaky.length} only on a re-run, flaky: ${flaky.join(', ')})`}${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}`,
  );
  if (report.failedAttempts.length > 0) {
    // A re-run that passes does not erase the failure: what failed first is part of the record.
    lines.push('', '| failed attempt (re-run) | expectation | observed |', '|---|---|---|');
    for (const attempt of report.failedAttempts) {
      if (attempt.error !== null) lines.push(`| ${attempt.scenario} | (run) | ${attempt.error} |`);
      const lag = stackLagRemark(attempt);
      if (lag !== '') lines.push(`| ${attempt.scenario} | (stack) | ${lag} |`);
      for (const score of attempt.scores.filter((s) => !s.pass)) {
        lines.push(`| ${attempt.scenario} | ${score.label} | ${score.detail} |`);
      }
    }
  }
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
