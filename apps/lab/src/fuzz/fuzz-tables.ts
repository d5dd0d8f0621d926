import type { ScenarioReport } from '../runner/run-scenario.ts';
import { type FuzzWorld, LAYOUTS, SCHEDULES } from './generate-world.ts';
import { SCENARIO_ACTIONS, type ScenarioAction } from './techniques.ts';

/** Every scenario-format action a world uses: its technique's, its line conditions', outages and lies. */
export function worldActions(world: FuzzWorld): Set<ScenarioAction> {
  const actions = new Set<ScenarioAction>(world.technique.actions);
  if (world.lineCondition === 'loss' || world.lineCondition === 'loss+delay') actions.add('loss');
  if (world.lineCondition === 'loss+delay') actions.add('delay');
  if (world.lineCondition === 'congestion') actions.add('police');
  if (world.outage !== null) actions.add('outage');
  if (world.targetDown !== null) actions.add(world.targetDown.how === 'slow' ? 'police' : 'drop');
  if (world.entries.some((entry) => entry.lie !== null)) actions.add('lie');
  return actions;
}

/** Markdown: how many of the worlds use each action in each layout, and each schedule's count. */
export function coverageTable(worlds: readonly FuzzWorld[]): string {
  const header = `| action | ${LAYOUTS.join(' | ')} |\n|---|${LAYOUTS.map(() => '---:').join('|')}|`;
  const rows = SCENARIO_ACTIONS.map((action) => {
    const cells = LAYOUTS.map(
      (layout) => worlds.filter((world) => world.layout === layout && worldActions(world).has(action)).length,
    );
    return `| \`${action}\` | ${cells.join(' | ')} |`;
  });
  const techniques = [...new Set(worlds.map((world) => world.technique.id))].sort();
  const techniqueRows = techniques.map((id) => {
    const cells = LAYOUTS.map(
      (layout) => worlds.filter((world) => world.layout === layout && world.technique.id === id).length,
    );
    return `| ${id} | ${cells.join(' | ')} |`;
  });
  const schedules = SCHEDULES.map(
    (schedule) => `${schedule} ${worlds.filter((world) => world.schedule === schedule).length}`,
  ).join(', ');
  const agents = worlds.flatMap((world) => world.entries.map((entry) => entry.agents));
  const targetDown = worlds.filter((world) => world.targetDown?.how === 'down').length;
  const targetSlow = worlds.filter((world) => world.targetDown?.how === 'slow').length;
  return [
    header,
    ...rows,
    '',
    `| technique | ${LAYOUTS.join(' | ')} |\n|---|${LAYOUTS.map(() => '---:').join('|')}|`,
    ...techniqueRows,
    '',
    `${worlds.length} worlds; schedules: ${schedules}; a target down everywhere in ${targetDown}, slow everywhere in ${targetSlow}; agents per ISP ${Math.min(...agents)}-${Math.max(...agents)}.`,
  ].join('\n');
}

/** Markdown: one row per world run, with its failed expectations (the reproducer is its seed). */
export function fuzzScoreTable(worlds: readonly FuzzWorld[], reports: readonly ScenarioReport[]): string {
  const reportOf = (world: FuzzWorld) =>
    reports.find((candidate) => candidate.scenario === `fuzz-${world.seed}`);
  const rows = worlds.map((world) => {
    const report = reportOf(world);
    const failed =
      report === undefined
        ? 'not run'
        : report.error !== null
          ? report.error
          : report.scores
              .filter((score) => !score.pass)
              .map((score) => `${score.label}: ${score.detail}`)
              .join('; ');
    const verdict = report === undefined ? '-' : report.passed ? 'pass' : 'FAIL';
    const held =
      report === undefined
        ? '-'
        : `${report.scores.filter((score) => score.pass).length}/${report.scores.length}`;
    return `| ${world.seed} | ${world.technique.id} → ${world.target} | ${world.layout} | ${world.schedule} | ${verdict} | ${held} | ${failed.replaceAll('|', '/')} |`;
  });
  // Only the worlds: catalogue scenarios may run in the same batches (`lab run all --fuzz-count`).
  const passed = worlds.filter((world) => reportOf(world)?.passed === true).length;
  return [
    '| seed | technique → target | layout | schedule | result | held | failed expectations |',
    '|---:|---|---|---|---|---:|---|',
    ...rows,
    '',
    `${passed}/${worlds.length} worlds passed.`,
  ].join('\n');
}

/** The axes the generator samples, each world's value on them. */
const AXES: readonly (readonly [string, (world: FuzzWorld) => string])[] = [
  ['technique', (world) => world.technique.id],
  ['schedule', (world) => world.schedule],
  ['layout', (world) => world.layout],
  ['line', (world) => world.lineCondition],
  ['liar', (world) => (world.entries.some((entry) => entry.lie !== null) ? 'one liar' : 'none')],
  [
    'target down or slow everywhere',
    (world) => (world.targetDown === null ? 'none' : `${world.targetDown.target} ${world.targetDown.how}`),
  ],
  ['fewest agents in an ISP', (world) => String(Math.min(...world.entries.map((entry) => entry.agents)))],
];

/**
 * Markdown: worlds run and passed for each value of each axis the generator samples, so that in a
 * run of hundreds of worlds a weak corner (a technique, 2-agent ISPs, lossy lines) shows at a glance.
 * `passed` answers per world: true, false, or undefined when it did not run (left out).
 */
export function fuzzAxisTable(
  worlds: readonly FuzzWorld[],
  passed: (world: FuzzWorld) => boolean | undefined,
): string {
  const rows = AXES.flatMap(([axis, valueIn]) => {
    const counts = new Map<string, { run: number; passed: number }>();
    for (const world of worlds) {
      const outcome = passed(world);
      if (outcome === undefined) continue;
      const cell = counts.get(valueIn(world)) ?? { run: 0, passed: 0 };
      cell.run += 1;
      if (outcome) cell.passed += 1;
      counts.set(valueIn(world), cell);
    }
    return [...counts]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([value, cell]) => `| ${axis} | ${value} | ${cell.run} | ${cell.passed} |`);
  });
  return ['| axis | value | worlds | passed |', '|---|---|---:|---:|', ...rows].join('\n');
}

/** `fuzzAxisTable` over a run's reports: a world without a report did not run. */
export function fuzzAxisTableOfRun(worlds: readonly FuzzWorld[], reports: readonly ScenarioReport[]): string {
  return fuzzAxisTable(
    worlds,
    (world) => reports.find((report) => report.scenario === `fuzz-${world.seed}`)?.passed,
  );
}
