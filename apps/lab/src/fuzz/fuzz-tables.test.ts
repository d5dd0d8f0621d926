import { describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../runner/run-scenario.ts';
import { fuzzScoreTable } from './fuzz-tables.ts';
import { generateWorld } from './generate-world.ts';

function report(scenario: string, passed: boolean): ScenarioReport {
  return {
    scenario,
    mode: 'kernel',
    network: 'rl1',
    startedAt: '2026-12-04T16:00:00.000Z',
    durationMs: 180_000,
    passed,
    error: null,
    notes: [],
    scores: [],
    confusion: {} as ScenarioReport['confusion'],
    timeline: {} as ScenarioReport['timeline'],
  };
}

describe('fuzzScoreTable', () => {
  it('counts the worlds that passed, not the catalogue scenarios run in the same batches', () => {
    const worlds = [generateWorld(41204116), generateWorld(41204117)];
    const table = fuzzScoreTable(worlds, [
      report('slow-line-sni-drop', true),
      report('clean', true),
      report('fuzz-41204116', true),
      report('fuzz-41204117', false),
    ]);
    expect(table).toContain('\n1/2 worlds passed.');
    expect(table).toMatch(/^\| 41204117 \| .* \| FAIL \|/m);
  });
});
