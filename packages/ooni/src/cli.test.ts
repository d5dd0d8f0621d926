import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command, runProgram } from '@reachmap/command-line';
import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { addOoniCommands, type MeasurementQuery, type OoniCommandDeps } from './cli.ts';
import { formatProgress } from './import-ooni.ts';
import { SYNTHETIC_FIXTURES } from './testing/ooni-fixtures.ts';

function deps() {
  const submitted: Measurement[] = [];
  const queries: MeasurementQuery[] = [];
  const stdout = new PassThrough();
  return {
    submitted,
    queries,
    stdout,
    deps: {
      submit: async (measurements: Measurement[]) => void submitted.push(...measurements),
      listMeasurements: (query: MeasurementQuery) => {
        queries.push(query);
        return [{ measurement: sampleMeasurement(), verdict: null }];
      },
      stdout,
      progress: () => {},
    },
  };
}

/** `reachmap import|export ooni <rest>` with `deps` injected, parsed as the CLI parses it. */
async function runOoniCommand(args: string[], deps: OoniCommandDeps, print: (line: string) => void) {
  const [verb = '', ...rest] = args;
  const program = new Command('reachmap');
  addOoniCommands(program, (_verb, use) => use(deps), print);
  return await runProgram(program, [verb, 'ooni', ...rest], { out: print, err: print });
}

describe('reachmap import ooni / export ooni', () => {
  it('imports, lists skipped lines with their line numbers and prints the agreement table', async () => {
    const { deps: injected, submitted } = deps();
    const lines: string[] = [];
    const code = await runOoniCommand(
      ['import', '--compare', `${SYNTHETIC_FIXTURES}/mixed.jsonl`],
      injected,
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(submitted).toHaveLength(1);
    expect(lines[0]).toBe('imported 1 OONI measurements, skipped 3');
    expect(lines).toContainEqual(expect.stringMatching(/mixed\.jsonl:2: malformed JSON/));
    expect(lines).toContain('  skipped (malformed_json): 1');
    expect(lines).toContainEqual(expect.stringContaining('| facebook_messenger | 1 |'));
    // facebook_messenger's names are fixed in the test: their NXDOMAIN is a removal without a control resolver.
    expect(lines.at(-1)).toMatch(/^\| .*mixed\.jsonl:1 \| anomaly \| blocked \(nxdomain\) \| agree \|$/);
  });

  it('exports what listMeasurements returns as OONI JSONL, passing the filters on', async () => {
    const { deps: injected, queries, stdout } = deps();
    const lines: string[] = [];
    const code = await runOoniCommand(
      ['export', '--cc', 'ru', '--since', '2026-11-01T00:00:00Z'],
      injected,
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(queries).toEqual([{ since: '2026-11-01T00:00:00Z', until: null, cc: 'RU', target: null }]);
    expect(JSON.parse(stdout.read().toString())).toMatchObject({
      test_name: 'whatsapp',
      probe_asn: 'AS64500',
    });
  });

  it('refuses measurements older than every retention, says where the rest are counted, and fails when nothing was imported', async () => {
    const { deps: injected, submitted } = deps();
    const lines: string[] = [];
    const fixture = `${SYNTHETIC_FIXTURES}/mixed.jsonl`;
    const dailyOnly = { ...injected, keptGranularities: () => ['1d'] };
    expect(await runOoniCommand(['import', fixture], dailyOnly, (line) => lines.push(line))).toBe(0);
    expect(submitted).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}1 in daily charts and \/api\/v1\/aggregation only/),
    );
    lines.length = 0;
    const expired = { ...injected, keptGranularities: () => [] };
    expect(await runOoniCommand(['import', fixture], expired, (line) => lines.push(line))).toBe(1);
    expect(submitted).toHaveLength(1);
    expect(lines).toContain('  skipped (older_than_retention): 1');
    expect(lines).toContainEqual(expect.stringMatching(/older than the rollup retention/));
  });

  it('writes per-file results, skip reasons and dropped entries with --report', async () => {
    const { deps: injected } = deps();
    const dir = await mkdtemp(join(tmpdir(), 'ooni-report-'));
    const report = join(dir, 'report.json');
    const code = await runOoniCommand(
      [
        'import',
        '--report',
        report,
        `${SYNTHETIC_FIXTURES}/mixed.jsonl`,
        `${SYNTHETIC_FIXTURES}/facebook_messenger.json`,
      ],
      injected,
      () => {},
    );
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(report, 'utf8'));
    expect(written).toMatchObject({ imported: 2, skipped: 3 });
    expect(
      written.files.map((file: { file: string; imported: number; skipped: number }) => [
        basename(file.file),
        file.imported,
        file.skipped,
      ]),
    ).toEqual([
      ['mixed.jsonl', 1, 3],
      ['facebook_messenger.json', 1, 0],
    ]);
    expect(
      written.files[0].skips.map((skip: { line: number; reason: string }) => [skip.line, skip.reason]),
    ).toEqual([
      [2, 'malformed_json'],
      [4, 'unsupported_test'],
      [5, 'missing_field'],
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it('draws a progress bar over the bytes read when the total is known', () => {
    const line = formatProgress({
      imported: 10,
      skipped: 1,
      elapsedSeconds: 2,
      ratePerSecond: 5.5,
      bytesRead: 50,
      totalBytes: 200,
    });
    expect(line).toBe(
      'ooni import [######------------------] 25% 10 imported, 1 skipped, 6 records/s, 2.0 s',
    );
  });

  it('fails when an input is missing even if others imported', async () => {
    const { deps: injected, submitted } = deps();
    const lines: string[] = [];
    const code = await runOoniCommand(
      ['import', `${SYNTHETIC_FIXTURES}/mixed.jsonl`, `${SYNTHETIC_FIXTURES}/no-such-file.jsonl`],
      injected,
      (line) => lines.push(line),
    );
    expect(code).toBe(1);
    expect(submitted).toHaveLength(1);
    expect(lines).toContain('  skipped (unreadable): 1');
  });

  it('turns bad arguments and failing dependencies into exit codes with a message', async () => {
    const { deps: injected } = deps();
    const lines: string[] = [];
    expect(await runOoniCommand(['export', '--since', 'soon'], injected, (line) => lines.push(line))).toBe(2);
    expect(await runOoniCommand(['import'], injected, (line) => lines.push(line))).toBe(2);
    expect(lines.at(-1)).toMatch(/^reachmap import ooni: missing required argument 'sources'/);
    expect(await runOoniCommand(['export', '--country', 'RU'], injected, (line) => lines.push(line))).toBe(2);
    const failing = { ...injected, submit: async () => Promise.reject(new Error('collector down')) };
    expect(
      await runOoniCommand(['import', `${SYNTHETIC_FIXTURES}/facebook_messenger.json`], failing, (line) =>
        lines.push(line),
      ),
    ).toBe(1);
    expect(lines.at(-1)).toBe('ooni import: collector down');
  });
});
