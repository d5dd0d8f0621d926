import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER, OONI_IMPORT_MARKERS } from './report/benchmarks-doc.ts';

const execFileAsync = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'reachmap-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `| metric | 1,234 or 0.62 or "not measured" | unit | note |` */
const ROW = /^\| [^|]+ \| (?:-?[\d,]+(?:\.\d+)?|not measured) \| [^|]* \| .*\|$/;

/** The prose after the main table, with the OONI import's own generated section left out. */
function proseAfterMainTable(document: string): string {
  const tail = document.slice(document.indexOf(END_MARKER));
  const begin = tail.indexOf(OONI_IMPORT_MARKERS.begin);
  const end = tail.indexOf(OONI_IMPORT_MARKERS.end);
  return begin < 0 || end < begin ? tail : tail.slice(0, begin) + tail.slice(end);
}

function tableRows(generated: string, heading: string): string[] {
  const section = generated.split(`### ${heading}`)[1]?.split('###')[0] ?? '';
  return section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Metric'));
}

describe('pnpm bench --quick', () => {
  it('runs every benchmark end to end and writes well-formed rows between the markers only', async () => {
    const out = join(dir, 'benchmarks.md');
    copyFileSync(DOC, out);
    const before = readFileSync(out, 'utf8');
    const { stderr } = await execFileAsync(process.execPath, [MAIN, '--quick', '--out', out], {
      timeout: 110_000,
    });
    expect(stderr).toContain('ingest: ');
    expect(stderr).toContain(`wrote ${out}`);

    const after = readFileSync(out, 'utf8');
    // The prose around the markers is kept as it was.
    expect(after.slice(0, after.indexOf(BEGIN_MARKER))).toBe(before.slice(0, before.indexOf(BEGIN_MARKER)));
    expect(proseAfterMainTable(after)).toBe(proseAfterMainTable(before));
    const generated = after.slice(
      after.indexOf(BEGIN_MARKER) + BEGIN_MARKER.length,
      after.indexOf(END_MARKER),
    );
    expect(generated).toContain('(quick profile)');

    for (const heading of [
      'Ingest',
      'Ceiling (Redis itself)',
      'Queries',
      'Memory',
      'Dashboard',
      'Agent',
      'Goals',
    ]) {
      const rows = tableRows(generated, heading);
      expect(rows.length, heading).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row, heading).toMatch(ROW);
        // A row without a figure must say why.
        if (row.includes('| not measured |')) expect(row).toMatch(/\| not measured: \S.*\|$/);
      }
    }
    // The core paths must produce figures, not "not measured".
    const measuredMetric = (metric: string) =>
      generated.split('\n').find((line) => line.startsWith(`| ${metric} |`)) ?? '';
    for (const metric of [
      'reachmap ingest, sustained',
      'bare BullMQ baseline',
      'submit-to-map latency p99',
      'map, countries p99',
      'OONI aggregation, day × country over 3 days p99',
      'used_memory per seeded day (all keys)',
      // chromium is installed wherever the dashboard's own browser tests run.
      'world map, first render p50',
      'timeline, 365 d p95',
      'app JS transferred',
    ]) {
      expect(measuredMetric(metric), metric).toMatch(ROW);
      expect(measuredMetric(metric), metric).not.toContain('| not measured |');
    }
    expect(measuredMetric('reachmap ingest, sustained')).toContain('every measurement counted');
    // The assets go out gzip-compressed to chromium, which asks for it.
    expect(measuredMetric('app JS transferred')).toContain('content-encoding gzip');
  });
});
