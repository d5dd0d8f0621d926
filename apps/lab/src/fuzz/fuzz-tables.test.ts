import { describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../runner/run-scenario.ts';
import { fuzzAxisTableOfRun, fuzzScoreTable } from './fuzz-tables.ts';
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
    longestEvaluationLagMs: 0,
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

describe('fuzzAxisTableOfRun', () => {
  it('counts each world once per axis, under its own value, and leaves out worlds that did not run', () => {
    const worlds = [41204116, 41204117, 41204118].map(generateWorld);
    const [first, second, third] = worlds;
    if (first === undefined || second === undefined || third === undefined) throw new Error('no world');
    const table = fuzzAxisTableOfRun(worlds, [
      report('clean', false),
      report('fuzz-41204116', true),
      report('fuzz-41204117', false),
    ]);
    const rows = table.split('\n').slice(2);
    for (const axis of ['technique', 'schedule', 'layout', 'line', 'liar', 'fewest agents in an ISP']) {
      const cells = rows
        .filter((row) => row.startsWith(`| ${axis} |`))
        .map((row) => row.split('|').map((cell) => cell.trim()));
      // Two worlds ran (the third has no report, the catalogue scenario is not a world), one passed.
      expect(
        cells.reduce((sum, cell) => sum + Number(cell[3]), 0),
        axis,
      ).toBe(2);
      expect(
        cells.reduce((sum, cell) => sum + Number(cell[4]), 0),
        axis,
      ).toBe(1);
    }
    expect(table).toContain(`| technique | ${first.technique.id} |`);
    expect(table).toContain(`| schedule | ${second.schedule} |`);
  });
});
