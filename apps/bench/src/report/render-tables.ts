import type { BenchSection, ResultRow } from './result-row.ts';

const SECTION_TITLES: Record<BenchSection, string> = {
  ingest: 'Ingest',
  ceiling: 'Ceiling (Redis itself)',
  queries: 'Queries',
  memory: 'Memory',
  dashboard: 'Dashboard',
  agent: 'Agent',
  'ooni-import': 'OONI import',
  goals: 'Goals (reported, not asserted)',
};

export interface RunDescription {
  command: string;
  profile: string;
  startedAt: string;
  durationS: number;
  machine: string;
}

function formatValue(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** One markdown row: `| metric | value | unit | note |`, or "not measured: <reason>". */
function renderRow(row: ResultRow): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const value = row.value === null ? 'not measured' : formatValue(row.value);
  const note = row.value === null ? `not measured: ${row.note}` : row.note;
  return `| ${cell(row.metric)} | ${value} | ${cell(row.unit)} | ${cell(note)} |`;
}

export function renderTables(rows: readonly ResultRow[], run: RunDescription): string {
  const lines = [
    `Run: \`${run.command}\` (${run.profile} profile), ${run.startedAt}, ${run.durationS.toFixed(0)} s.`,
    '',
    `Machine: ${run.machine}`,
  ];
  for (const section of Object.keys(SECTION_TITLES) as BenchSection[]) {
    const sectionRows = rows.filter((row) => row.section === section);
    if (sectionRows.length === 0) continue;
    lines.push(
      '',
      `### ${SECTION_TITLES[section]}`,
      '',
      '| Metric | Value | Unit | Notes |',
      '|---|---:|---|---|',
    );
    lines.push(...sectionRows.map(renderRow));
  }
  return lines.join('\n');
}
