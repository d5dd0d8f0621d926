import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOoniCli, type StackProcess, startStackProcess } from '../testing/stack-process.ts';

const fixtures = join(
  process.env.OONI_FIXTURES_DIR ?? join(import.meta.dirname, '../../../../../shared/fixtures'),
  'ooni',
);
if (!existsSync(fixtures) && process.env.CI === 'true')
  throw new Error(`OONI fixtures missing at ${fixtures}`);
const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-ooni-cli-'));
const env = { REACHMAP_DATA_DIR: dataDir, REDIS_URL: '' };
let stack: StackProcess;

beforeAll(async () => {
  stack = await startStackProcess(dataDir);
}, 60_000);
afterAll(async () => {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every line of every archive file, duplicates included. */
function archiveLines(): { id: string; source: string }[] {
  const root = join(dataDir, 'archive');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((path) => path.endsWith('.jsonl.gz'))
    .flatMap((path) =>
      gunzipSync(readFileSync(join(root, path)))
        .toString()
        .trim()
        .split('\n'),
    )
    .map((line) => JSON.parse(line) as { id: string; source: { kind: string } })
    .map((m) => ({ id: m.id, source: m.source.kind }));
}

async function waitForArchive(count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (archiveLines().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

describe.skipIf(!existsSync(fixtures))('reachmap import/export ooni through the running pipeline', () => {
  it('imports every real OONI fixture through the queue and aggregator, once, even when re-imported', async () => {
    const first = await runOoniCli(['import', 'ooni', '--compare', fixtures], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('imported 11 OONI measurements, skipped 4');
    // 2020-2022 measurements: past the 5-minute and hourly retention, kept in the daily buckets.
    expect(first.stderr).toContain('11 in daily charts and /api/v1/aggregation only');
    expect(first.stderr).toContain('skipped (not_json): 1');
    expect(first.stderr).toMatch(/\| whatsapp \| 3 \|/);
    await waitForArchive(11);
    const archived = archiveLines();
    expect(archived).toHaveLength(11);
    expect(new Set(archived.map((line) => line.source))).toEqual(new Set(['ooni']));

    const again = await runOoniCli(['import', 'ooni', fixtures], env);
    expect(again.code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect(archiveLines()).toHaveLength(11);
  }, 90_000);

  it('exports archived measurements as OONI JSONL carrying our verdicts', async () => {
    const out = join(dataDir, 'export.jsonl');
    const result = await runOoniCli(
      ['export', 'ooni', '--since', '2019-01-01T00:00:00Z', '--until', '2023-01-01T00:00:00Z', '--out', out],
      env,
    );
    expect(result.code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(11);
    for (const line of lines) {
      expect(line).toHaveProperty('test_keys');
      expect(line.x_reachmap.verdict.status).toMatch(
        /^(ok|blocked|throttled|stalled|down|error|insufficient)$/,
      );
    }
    const archivedIds = new Set(archiveLines().map((line) => line.id));
    expect(lines.every((line) => archivedIds.has(line.x_reachmap.measurement_id))).toBe(true);
  }, 30_000);
});
