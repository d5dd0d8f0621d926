import { describe, expect, it } from 'vitest';
import { formatLabReport, stackLagRemark } from './format-report.ts';
import { type LabReport, mergeRetry } from './run-lab.ts';
import type { ScenarioReport } from './run-scenario.ts';

function scenario(
  name: string,
  passed: boolean,
  detail = 'accessible at 77s',
  longestEvaluationLagMs = 3_000,
): ScenarioReport {
  return {
    scenario: name,
    mode: 'kernel',
    network: 'rl1',
    startedAt: '2026-12-02T12:00:00.000Z',
    durationMs: 180_000,
    passed,
    error: null,
    notes: [],
    scores: [
      {
        index: 0,
        label: `${name} whatsapp accessible (within 120s)`,
        pass: passed,
        timeToDetectMs: passed ? 77_000 : null,
        detail,
      },
    ],
    confusion: { rows: [], counts: {} },
    timeline: { states: [], events: [] },
    longestEvaluationLagMs,
  };
}

function report(scenarios: ScenarioReport[], finishedAt: string): LabReport {
  return {
    mode: 'kernel',
    startedAt: '2026-12-02T12:00:00.000Z',
    finishedAt,
    passed: scenarios.every((s) => s.passed),
    scenarios,
    failedAttempts: [],
  };
}

describe('re-running failed lab scenarios', () => {
  const first = report(
    [
      scenario('asn-split', true),
      scenario('clean', false, 'last seen accessible at 154s'),
      scenario('rst-to-syn', false),
    ],
    '2026-12-02T12:18:00.000Z',
  );

  it('keeps the order, replaces each re-run scenario and keeps its failed attempt', () => {
    const merged = mergeRetry(
      first,
      report([scenario('clean', true), scenario('rst-to-syn', true)], '2026-12-02T12:22:00.000Z'),
    );
    expect(merged.passed).toBe(true);
    expect(merged.scenarios.map((s) => [s.scenario, s.passed])).toEqual([
      ['asn-split', true],
      ['clean', true],
      ['rst-to-syn', true],
    ]);
    expect(merged.failedAttempts.map((s) => s.scenario)).toEqual(['clean', 'rst-to-syn']);
    expect(merged.finishedAt).toBe('2026-12-02T12:22:00.000Z');
    const text = formatLabReport(merged);
    expect(text).toContain('kernel lab: 3/3 scenarios passed (2 only on a re-run, flaky: clean, rst-to-syn)');
    expect(text).toContain(
      '| clean | clean whatsapp accessible (within 120s) | last seen accessible at 154s |',
    );
    // The stacks kept up (3 s): nothing blames the load.
    expect(text).not.toContain('(stack)');
  });

  it("says when a failed attempt's stack judged its windows late, and by how much", () => {
    const behind = report(
      [scenario('asn-split', false, 'last seen blocked/sni-reset at 100s', 24_600)],
      '2026-12-06T05:05:00.000Z',
    );
    const merged = mergeRetry(behind, report([scenario('asn-split', true)], '2026-12-06T05:20:00.000Z'));
    expect(formatLabReport(merged)).toContain(
      "| asn-split | (stack) | its stack judged windows up to 25 s late (ingest behind its agents: the machine's load) |",
    );
    expect(stackLagRemark({ longestEvaluationLagMs: 9_999 })).toBe('');
  });

  it('fails when a re-run fails again, and names it failed rather than flaky', () => {
    const merged = mergeRetry(
      first,
      report([scenario('clean', true), scenario('rst-to-syn', false)], '2026-12-02T12:22:00.000Z'),
    );
    expect(merged.passed).toBe(false);
    const text = formatLabReport(merged);
    expect(text).toContain('2/3 scenarios passed (1 only on a re-run, flaky: clean); failed: rst-to-syn');
  });

  it('fails when the re-run did not finish every scenario (interrupted)', () => {
    const merged = mergeRetry(first, {
      ...report([scenario('clean', true)], '2026-12-02T12:20:00.000Z'),
      passed: false,
    });
    expect(merged.passed).toBe(false);
  });
});
