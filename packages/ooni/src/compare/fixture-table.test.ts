import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOoni } from '../import-ooni.ts';
import { describeSkipReason } from '../skip-reason.ts';
import { HAVE_REAL_OONI_FIXTURES, MORE_OONI_FIXTURES, REAL_OONI_FIXTURES } from '../testing/ooni-fixtures.ts';
import { AgreementTally } from './agreement.ts';
import { ooniVerdictText } from './compared-line.ts';

const DOC = resolve(import.meta.dirname, '../../../../docs/ooni.md');
const START = '<!-- fixture-table:start -->';
const END = '<!-- fixture-table:end -->';

type Row = [file: string, test: string, ooni: string, reachmap: string, agreement: string];

/** The table of every shared fixture as docs/ooni.md states it (the evidence column is prose). */
function documentedRows(): Row[] {
  const text = readFileSync(DOC, 'utf8');
  const table = text.slice(text.indexOf(START) + START.length, text.indexOf(END));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return [
        cells[0]?.replaceAll('`', '') ?? '',
        cells[1] ?? '',
        cells[2] ?? '',
        cells[3] ?? '',
        cells[4] ?? '',
      ];
    });
}

async function computedRows(): Promise<Row[]> {
  const tally = new AgreementTally();
  const rows: Row[] = [];
  const folderOf = (file: string) => (file.startsWith(MORE_OONI_FIXTURES) ? 'ooni-more' : 'ooni');
  const summary = await importOoni([{ path: REAL_OONI_FIXTURES }, { path: MORE_OONI_FIXTURES }], {
    submit: async () => {},
    onImported: ({ measurement, expectations }, origin) => {
      const compared = tally.add(measurement, expectations);
      const { status, method } = compared.verdict;
      rows.push([
        `${folderOf(origin.file)}/${basename(origin.file)}`,
        measurement.source.ooni?.test_name ?? measurement.test.name,
        ooniVerdictText(compared),
        method === null ? status : `${status} (${method})`,
        compared.agreement,
      ]);
    },
  });
  for (const file of summary.files) {
    for (const skip of file.skips) {
      rows.push([
        `${folderOf(file.file)}/${basename(file.file)}`,
        skip.reason.kind === 'unsupported_test' ? skip.reason.test_name : '',
        '',
        `not imported: ${describeSkipReason(skip.reason)}`,
        'not compared',
      ]);
    }
  }
  return rows;
}

describe.skipIf(!HAVE_REAL_OONI_FIXTURES)('agreement on every shared OONI fixture', () => {
  it('matches the table in docs/ooni.md row by row', async () => {
    const computed = (await computedRows()).filter(([file]) => !/aggregation__|README/.test(file));
    if (process.env.PRINT_FIXTURE_TABLE === '1') {
      console.log(computed.map((row) => `| \`${row[0]}\` | ${row.slice(1).join(' | ')} |`).join('\n'));
    }
    const documented = documentedRows();
    const withoutOoniColumnOfSkips = (rows: Row[]) =>
      rows
        .map(
          ([file, test, ooni, reachmap, agreement]): Row => [
            file,
            test,
            agreement === 'not compared' ? '' : ooni,
            reachmap.startsWith('not imported') ? reachmap.slice(0, 60) : reachmap,
            agreement,
          ],
        )
        .sort((a, b) => a[0].localeCompare(b[0]));
    expect(withoutOoniColumnOfSkips(documented)).toEqual(withoutOoniColumnOfSkips(computed));
    // 11 measurements in ooni/ and 30 in ooni-more/, besides the aggregation responses and README.
    expect(computed).toHaveLength(41);
  });
});
