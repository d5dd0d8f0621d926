import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, MissingMarkersError, replaceGeneratedTable } from './benchmarks-doc.ts';

const doc = (body: string) => `prose\n${BEGIN_MARKER}\nRun: all\n${body}\n${END_MARKER}\nafter\n`;
const table = (row: string) =>
  `| Metric | Value | Unit | Notes |\n|---|---:|---|---|\n| ${row} | 1 | ms |  |`;

describe('replaceGeneratedTable', () => {
  it('replaces one table of the generated section and keeps the others and the prose', () => {
    const before = doc(`\n### Dashboard\n\n${table('old')}\n\n### Agent\n\n${table('agent')}`);
    const after = replaceGeneratedTable(before, 'Dashboard', table('new'), 'Measured alone: x.');
    expect(after).toBe(
      doc(`\n### Dashboard\n\nMeasured alone: x.\n\n${table('new')}\n\n### Agent\n\n${table('agent')}`),
    );
  });

  it('replaces the last table up to the end marker', () => {
    const after = replaceGeneratedTable(doc(`\n### Agent\n\n${table('old')}`), 'Agent', table('new'), 'x.');
    expect(after).toBe(doc(`\n### Agent\n\nx.\n\n${table('new')}`));
  });

  it('refuses a document without that table', () => {
    expect(() => replaceGeneratedTable(doc(''), 'Dashboard', table('new'), 'x.')).toThrow(
      MissingMarkersError,
    );
  });
});
