import { createReadStream } from 'node:fs';
import type { Measurement } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { importOoni } from './import-ooni.ts';
import { HAVE_REAL_OONI_FIXTURES, REAL_OONI_FIXTURES, SYNTHETIC_FIXTURES } from './testing/ooni-fixtures.ts';

function collector() {
  const batches: Measurement[][] = [];
  return { batches, submit: async (measurements: Measurement[]) => void batches.push(measurements) };
}

describe.skipIf(!HAVE_REAL_OONI_FIXTURES)('importing the real OONI fixture directory', () => {
  it('imports every measurement file and skips only the aggregation responses', async () => {
    const sink = collector();
    const summary = await importOoni([{ path: REAL_OONI_FIXTURES }], { submit: sink.submit });
    expect(summary.imported).toBe(11);
    expect(summary.skippedByKind).toEqual({ not_a_measurement: 3 });
    expect(summary.skips.every((skip) => skip.origin.file.includes('aggregation__'))).toBe(true);
    expect(sink.batches.flat()).toHaveLength(11);
  });

  it('is idempotent: a re-import yields the same measurement ids', async () => {
    const first = collector();
    const second = collector();
    await importOoni([{ path: REAL_OONI_FIXTURES }], { submit: first.submit });
    await importOoni([{ path: REAL_OONI_FIXTURES }], { submit: second.submit, batchSize: 3 });
    const ids = (sink: ReturnType<typeof collector>) => sink.batches.flat().map((m) => m.id);
    expect(ids(second)).toEqual(ids(first));
    expect(new Set(ids(first)).size).toBe(11);
    expect(second.batches.map((batch) => batch.length)).toEqual([3, 3, 3, 2]);
  });
});

describe('importing JSONL', () => {
  it('skips malformed lines and unmappable measurements with file, line and reason', async () => {
    const sink = collector();
    const file = `${SYNTHETIC_FIXTURES}/mixed.jsonl`;
    const summary = await importOoni([{ path: file }], { submit: sink.submit });
    expect(summary.imported).toBe(1);
    expect(summary.skips.map((skip) => [skip.origin, skip.reason.kind])).toEqual([
      [{ file, line: 2 }, 'malformed_json'],
      [{ file, line: 4 }, 'unsupported_test'],
      [{ file, line: 5 }, 'missing_field'],
    ]);
  });

  it('reads gzip-compressed JSONL, OONI archive style', async () => {
    const sink = collector();
    const summary = await importOoni([{ path: `${SYNTHETIC_FIXTURES}/archive.jsonl.gz` }], {
      submit: sink.submit,
    });
    expect(summary).toMatchObject({ imported: 2, skipped: 0 });
    expect(sink.batches.flat().map((m) => m.target.id)).toEqual([
      'facebook-messenger',
      'web-blocked-example-org',
    ]);
    const web = sink.batches.flat()[1];
    expect(web?.observations.http[0]?.response).toMatchObject({ status: 200, title: 'Access denied' });
  });

  it('reads a stream (stdin) as JSONL and reports progress', async () => {
    const sink = collector();
    const progress: number[] = [];
    const summary = await importOoni(
      [{ name: 'stdin', stream: createReadStream(`${SYNTHETIC_FIXTURES}/mixed.jsonl`) }],
      {
        submit: sink.submit,
        onProgress: (state) => progress.push(state.imported + state.skipped),
        progressIntervalMs: 0,
      },
    );
    expect(summary.skips[0]?.origin).toEqual({ file: 'stdin', line: 2 });
    expect(progress.at(-1)).toBe(4);
  });

  it('reports a missing path as unreadable instead of crashing', async () => {
    const summary = await importOoni([{ path: `${SYNTHETIC_FIXTURES}/no-such-file.jsonl` }], {
      submit: async () => {},
    });
    expect(summary.skippedByKind).toEqual({ unreadable: 1 });
  });

  it('rejects when submit fails, never swallowing the error', async () => {
    const failing = async () => {
      throw new Error('collector unavailable');
    };
    await expect(
      importOoni([{ path: `${SYNTHETIC_FIXTURES}/facebook_messenger.json` }], { submit: failing }),
    ).rejects.toThrow('collector unavailable');
  });
});
