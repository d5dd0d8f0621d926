import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Measurement } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    // The README beside the data is reported as not JSON, not read as measurements.
    expect(summary.skippedByKind).toEqual({ not_a_measurement: 3, not_json: 1 });
    expect(
      summary.skips.every(
        (skip) => skip.origin.file.includes('aggregation__') || skip.origin.file.endsWith('README.md'),
      ),
    ).toBe(true);
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

describe('detecting the format by content', () => {
  const raw = (n: number, overrides: Record<string, unknown> = {}) => ({
    report_id: `20240101T000000Z_whatsapp_RU_8402_n1_report${n}`,
    probe_cc: 'RU',
    probe_asn: 'AS8402',
    test_name: 'whatsapp',
    test_version: '0.11.0',
    measurement_start_time: `2024-01-01 00:00:0${n}`,
    software_name: 'ooniprobe-cli',
    software_version: '3.20.0',
    input: null,
    test_keys: {
      registration_server_status: 'ok',
      whatsapp_web_status: 'ok',
      whatsapp_endpoints_status: 'ok',
    },
    ...overrides,
  });
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ooni-content-'));
  });
  afterAll(async () => await rm(directory, { recursive: true, force: true }));

  it('reads pretty-printed JSON, gzip and JSONL whatever the file is called, and several documents per file', async () => {
    const pretty = `${JSON.stringify(raw(1), null, 2)}\n${JSON.stringify(raw(2), null, 2)}\n`;
    await writeFile(join(directory, 'pretty.jsonl'), pretty);
    await writeFile(join(directory, 'pretty-gz.json.gz'), gzipSync(pretty));
    await writeFile(join(directory, 'lines.data'), `${JSON.stringify(raw(3))}\n${JSON.stringify(raw(4))}\n`);
    await writeFile(join(directory, 'gz-without-extension'), gzipSync(`${JSON.stringify(raw(5))}\n`));
    await writeFile(join(directory, 'array.json'), JSON.stringify([raw(6), raw(7)], null, 1));
    await writeFile(
      join(directory, 'comments.jsonc'),
      `// from probe-cli\n// two lines\n${JSON.stringify(raw(8), null, 2)}`,
    );
    const sink = collector();
    const summary = await importOoni([{ path: directory }], { submit: sink.submit });
    expect(summary.skips).toEqual([]);
    expect(summary.imported).toBe(10);
    expect(
      Object.fromEntries(summary.files.map((file) => [file.file.slice(directory.length + 1), file.imported])),
    ).toEqual({
      'array.json': 2,
      'comments.jsonc': 1,
      'gz-without-extension': 1,
      'lines.data': 2,
      'pretty-gz.json.gz': 2,
      'pretty.jsonl': 2,
    });
  });

  it('skips a record over the size limit with its line, and imports its neighbours, in JSONL and in a pretty array', async () => {
    // The padding goes where the mapper ignores it, so only the record's size differs.
    const big = raw(2, { annotations: { padding: 'x'.repeat(5_000) } });
    const lines = [raw(1), big, raw(3)].map((value) => JSON.stringify(value)).join('\n');
    await writeFile(join(directory, 'big-line.jsonl'), lines);
    const pretty = JSON.stringify([raw(4), big, raw(5)], null, 2);
    await writeFile(join(directory, 'big-element.json'), pretty);
    // The big element's first line: the second that opens an element of the array.
    const bigLine = pretty.split('\n').findIndex((text, index) => index > 1 && text === '  {') + 1;
    const sink = collector();
    const summary = await importOoni(
      [{ path: join(directory, 'big-line.jsonl') }, { path: join(directory, 'big-element.json') }],
      { submit: sink.submit, maxRecordChars: 4_000 },
    );
    expect(summary.imported).toBe(4);
    expect(
      summary.skips.map((skip) => [
        skip.origin.file.slice(directory.length + 1),
        skip.origin.line,
        skip.reason.kind,
      ]),
    ).toEqual([
      ['big-line.jsonl', 2, 'too_large'],
      ['big-element.json', bigLine, 'too_large'],
    ]);
    expect(summary.skips[0]?.reason).toMatchObject({ limit: 4_000 });
  });

  it('reads the elements of a compact JSON array on one line, however long the line', async () => {
    const line = JSON.stringify([raw(1), raw(2), raw(3)]);
    for (const maxRecordChars of [line.length * 2, 1_000]) {
      const sink = collector();
      // In small chunks, as a pipe delivers it.
      const chunks = line.match(/[\s\S]{1,300}/g)?.map((chunk) => Buffer.from(chunk)) ?? [];
      const summary = await importOoni([{ name: 'stdin', stream: Readable.from(chunks) }], {
        submit: sink.submit,
        maxRecordChars,
      });
      expect(summary).toMatchObject({ imported: 3, skipped: 0 });
    }
  });

  it('reads pretty-printed JSON on stdin', async () => {
    const sink = collector();
    const stream = Readable.from([Buffer.from(JSON.stringify(raw(1), null, 2))]);
    const summary = await importOoni([{ name: 'stdin', stream }], { submit: sink.submit });
    expect(summary).toMatchObject({ imported: 1, skipped: 0 });
  });

  it('refuses measurements dated in the future and from no country, with reasons', async () => {
    const sink = collector();
    const lines = [
      raw(1, { measurement_start_time: '2099-01-01 00:00:00' }),
      raw(2, { probe_cc: 'ZZ' }),
      raw(3, { probe_cc: 'XX' }),
      raw(4, { probe_cc: 'XK' }),
    ].map((value) => JSON.stringify(value));
    const stream = Readable.from([Buffer.from(lines.join('\n'))]);
    const summary = await importOoni([{ name: 'stdin', stream }], { submit: sink.submit });
    expect(summary.imported).toBe(1);
    expect(summary.skips.map((skip) => [skip.origin.line, skip.reason.kind])).toEqual([
      [1, 'future_date'],
      [2, 'not_a_country'],
      [3, 'not_a_country'],
    ]);
  });
});
