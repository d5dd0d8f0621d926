import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OoniAggregationResponse } from './aggregation.ts';
import { readOoniDocument } from './ooni-document.ts';
import { HAVE_REAL_OONI_FIXTURES, REAL_OONI_FIXTURES, realFixture } from './testing/ooni-fixtures.ts';

const files = HAVE_REAL_OONI_FIXTURES
  ? readdirSync(REAL_OONI_FIXTURES).filter((name) => name.startsWith('aggregation__'))
  : [];

describe.skipIf(!HAVE_REAL_OONI_FIXTURES)('OONI /api/v1/aggregation responses', () => {
  it.each(files)('parses %s', (name) => {
    const document = readOoniDocument(JSON.parse(readFileSync(realFixture(name), 'utf8')));
    expect(document.kind).toBe('aggregation');
    if (document.kind !== 'aggregation') return;
    const rows = Array.isArray(document.response.result)
      ? document.response.result
      : [document.response.result];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.anomaly_count + row.ok_count + row.failure_count).toBeLessThanOrEqual(row.measurement_count);
    }
  });

  it('rejects a body whose counts are not counts', () => {
    expect(
      OoniAggregationResponse.safeParse({ v: 0, dimension_count: 1, result: [{ anomaly_count: -1 }] })
        .success,
    ).toBe(false);
  });
});
