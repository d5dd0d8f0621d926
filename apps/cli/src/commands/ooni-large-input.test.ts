import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RECORD_CHARS } from '@reachmap/ooni';
import { afterAll, describe, expect, it } from 'vitest';
import { runOoniCli } from '../testing/stack-process.ts';

const fixture = join(
  process.env.OONI_FIXTURES_DIR ?? join(import.meta.dirname, '../../../../../shared/fixtures'),
  'ooni-more/report1.json',
);
if (!existsSync(fixture) && process.env.CI === 'true') throw new Error(`OONI fixture missing at ${fixture}`);

// Its own data directory: the import queues into an embedded Redis of its own, no stack needed.
const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-ooni-large-'));
const env = { REACHMAP_DATA_DIR: dataDir, REDIS_URL: '' };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A real web_connectivity measurement (3.5 KB), renamed and dated yesterday, its body `bodyChars` long. */
function copy(n: number, bodyChars: number): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(fixture, 'utf8')) as {
    report_id: string;
    test_keys: { requests: Array<{ response: { body: string } }> };
  };
  const started = new Date(Date.now() - 86_400_000 - n * 1000).toISOString().slice(0, 19).replace('T', ' ');
  const response = raw.test_keys.requests[0]?.response;
  if (response !== undefined) response.body = `<html>${'x'.repeat(bodyChars)}</html>`;
  return { ...raw, report_id: `${raw.report_id}_large${n}`, measurement_start_time: started };
}

describe.skipIf(!existsSync(fixture))(
  '`reachmap import ooni` on inputs that are large as a whole or in one record',
  () => {
    it('streams a pretty-printed array of 30 MB through the capped heap (it used to be read whole and abort)', async () => {
      const path = join(dataDir, 'array.json');
      const count = 1_200;
      writeFileSync(
        path,
        JSON.stringify(
          Array.from({ length: count }, (_, n) => copy(n, 20_000)),
          null,
          2,
        ),
      );
      expect(readFileSync(path).length).toBeGreaterThan(25_000_000);
      const result = await runOoniCli(['import', 'ooni', path], env);
      expect(result.stderr).toContain(`imported ${count} OONI measurements, skipped 0`);
      expect(result.code).toBe(0);
    }, 120_000);

    it('imports a record just under the size limit and skips one over it, with its line, keeping their neighbours', async () => {
      const pretty = join(dataDir, 'near-limit.json');
      const lines = join(dataDir, 'over-limit.jsonl');
      writeFileSync(
        pretty,
        JSON.stringify([copy(1, 100), copy(2, MAX_RECORD_CHARS - 200_000), copy(3, 100)], null, 2),
      );
      writeFileSync(
        lines,
        [copy(4, 100), copy(5, MAX_RECORD_CHARS + 1_000), copy(6, 100)]
          .map((m) => JSON.stringify(m))
          .join('\n'),
      );
      const result = await runOoniCli(['import', 'ooni', pretty, lines], env);
      expect(result.stderr).toContain('imported 5 OONI measurements, skipped 1');
      expect(result.stderr).toMatch(
        /over-limit\.jsonl:2: one record of 8\.0 MiB, over the 8\.0 MiB a record may take/,
      );
      expect(result.code).toBe(0);
    }, 120_000);
  },
);
