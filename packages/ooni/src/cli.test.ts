import { PassThrough } from 'node:stream';
import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { type MeasurementQuery, runOoniCommand } from './cli.ts';
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

describe('runOoniCommand', () => {
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
    expect(lines[1]).toMatch(/mixed\.jsonl:2: malformed JSON/);
    expect(lines.at(-1)).toContain('| facebook_messenger | 1 |');
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

  it('turns bad arguments and failing dependencies into exit codes with a message', async () => {
    const { deps: injected } = deps();
    const lines: string[] = [];
    expect(await runOoniCommand(['export', '--since', 'soon'], injected, (line) => lines.push(line))).toBe(2);
    const failing = { ...injected, submit: async () => Promise.reject(new Error('collector down')) };
    expect(
      await runOoniCommand(['import', `${SYNTHETIC_FIXTURES}/facebook_messenger.json`], failing, (line) =>
        lines.push(line),
      ),
    ).toBe(1);
    expect(lines.at(-1)).toBe('ooni import: collector down');
  });
});
