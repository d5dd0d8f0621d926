import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchive } from './archive-reader.ts';
import { appendToArchive } from './raw-archive.ts';

const archiveDir = mkdtempSync(join(tmpdir(), 'reachmap-archive-'));
afterAll(() => rmSync(archiveDir, { recursive: true, force: true }));

async function collect(query: Parameters<typeof readArchive>[1]): Promise<string[]> {
  const ids: string[] = [];
  for await (const measurement of readArchive(archiveDir, query)) ids.push(measurement.id);
  return ids;
}

describe('readArchive', () => {
  const monday = sampleMeasurement({ start_time: '2026-11-23T10:00:00.000Z' });
  const tuesday = sampleMeasurement({
    start_time: '2026-11-24T23:59:00.000Z',
    network: { country: 'DE', region: 'DE-BE', asn: 64501, network_type: 'fixed' },
  });

  it('reads back what was archived, by time range and country, each id once', async () => {
    await appendToArchive(archiveDir, [monday, tuesday]);
    // A retried job may archive the same measurement again.
    await appendToArchive(archiveDir, [monday]);
    const all = { sinceMs: Date.parse('2026-11-23T00:00:00Z'), untilMs: Date.parse('2026-11-25T00:00:00Z') };
    expect(await collect(all)).toEqual([monday.id, tuesday.id]);
    expect(await collect({ ...all, country: 'DE' })).toEqual([tuesday.id]);
    expect(await collect({ ...all, untilMs: Date.parse('2026-11-23T10:00:00Z') })).toEqual([]);
  });

  it('finds nothing, without failing, for days that have no archive', async () => {
    expect(
      await collect({
        sinceMs: Date.parse('2020-01-01T00:00:00Z'),
        untilMs: Date.parse('2020-01-03T00:00:00Z'),
      }),
    ).toEqual([]);
  });
});
