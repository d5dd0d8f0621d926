import { describe, expect, it } from 'vitest';
import type { ThroughputRun } from './observations.ts';
import { MAX_COUNT, MAX_SAMPLES_PER_MEASUREMENT, MAX_SAMPLES_PER_RUN } from './observations.ts';
import { SubmissionBatch } from './submission.ts';
import { emptyObservations, sampleMeasurement } from './testing.ts';
import { MAX_ISSUES_PER_ITEM, MAX_MEASUREMENT_BYTES, validateMeasurement } from './validation.ts';

// Regression tests for hostile input that used to become unbounded state (issue: hostile agents).

function pathsOf(input: unknown): string[] {
  const result = validateMeasurement(input);
  return result.ok ? [] : result.issues.map((issue) => issue.path);
}

function throughputRun(samples: number): ThroughputRun {
  return {
    direction: 'download',
    connection: 0,
    ip: '198.18.0.10',
    port: 443,
    sni: null,
    sni_role: 'target',
    samples: Array.from({ length: samples }, (_, index) => [index * 0.1, index * 1000] as [number, number]),
    bytes: samples * 1000,
    duration_s: samples * 0.1,
    ttfb_s: 0.05,
    goodput_bps: 80_000,
    longest_stall_s: 0,
    bytes_before_stall: null,
    failure: null,
    t0: 0,
    t: samples * 0.1,
  };
}

describe('bounds on what agents submit', () => {
  it('caps spool_dropped.count at 2^31 - 1, which HINCRBY and JavaScript both hold exactly', () => {
    const batch = (count: number) => ({
      measurements: [{}],
      spool_dropped: { count, since: '2026-11-23T10:00:00Z' },
    });
    expect(SubmissionBatch.safeParse(batch(MAX_COUNT)).success).toBe(true);
    expect(SubmissionBatch.safeParse(batch(MAX_COUNT + 1)).success).toBe(false);
    expect(SubmissionBatch.safeParse(batch(Number.MAX_SAFE_INTEGER)).success).toBe(false);
  });

  it.each([
    [
      'a start before 1970',
      { start_time: '1969-12-31T23:59:59Z', end_time: '1970-01-01T00:00:00Z' },
      ['/start_time', '/end_time'],
    ],
    [
      'a start before 2012',
      { start_time: '2011-12-31T23:59:59Z', end_time: '2012-01-01T00:00:01Z' },
      ['/start_time'],
    ],
    [
      'a run longer than a day',
      { start_time: '2026-11-23T10:00:00Z', end_time: '2026-11-24T10:00:01Z' },
      ['/end_time'],
    ],
    [
      'an unassigned country',
      { network: { country: 'XX', region: null, asn: 1, network_type: 'fixed' } },
      ['/network/country'],
    ],
  ])('refuses %s', (_case, override, paths) => {
    expect(pathsOf({ ...sampleMeasurement(), ...override })).toEqual(paths);
  });

  it('accepts OONI\'s "unknown" country ZZ and Kosovo\'s XK', () => {
    for (const country of ['ZZ', 'XK']) {
      const network = { country, region: null, asn: 1, network_type: 'fixed' };
      expect(pathsOf({ ...sampleMeasurement(), network })).toEqual([]);
    }
  });

  it.each([
    [
      'body_length',
      (m: ReturnType<typeof sampleMeasurement>) => ({
        ...m,
        observations: {
          ...m.observations,
          http: [
            {
              hop: 0,
              request: { method: 'GET', url: 'https://198.18.0.10/', headers: {} },
              response: {
                status: 200,
                headers: {},
                body_length: 2 ** 32,
                body_truncated: false,
                body_sha256: null,
                title: null,
                blockpage: null,
              },
              failure: null,
              t0: 0,
              t: 1,
            },
          ],
        },
      }),
      '/observations/http/0/response/body_length',
    ],
    [
      'a DNS ttl',
      (m: ReturnType<typeof sampleMeasurement>) => ({
        ...m,
        observations: {
          ...m.observations,
          dns: [
            {
              resolver: { kind: 'system', address: null },
              hostname: 'a.example',
              query_type: 'A',
              answers: [{ type: 'A', value: '198.18.0.1', ttl: 2 ** 40 }],
              rcode: 'NOERROR',
              failure: null,
              t0: 0,
              t: 1,
            },
          ],
        },
      }),
      '/observations/dns/0/answers/0/ttl',
    ],
  ])('refuses a count beyond 2^31 in %s', (_field, build, path) => {
    expect(pathsOf(build(sampleMeasurement()))).toEqual([path]);
  });

  it('caps throughput samples per run and per measurement', () => {
    const withRuns = (...runs: ThroughputRun[]) => ({
      ...sampleMeasurement(),
      observations: { ...emptyObservations(), throughput: runs },
    });
    expect(pathsOf(withRuns(throughputRun(MAX_SAMPLES_PER_RUN)))).toEqual([]);
    expect(pathsOf(withRuns(throughputRun(MAX_SAMPLES_PER_RUN + 1)))).toEqual([
      '/observations/throughput/0/samples',
    ]);
    const runs = Array.from({ length: MAX_SAMPLES_PER_MEASUREMENT / MAX_SAMPLES_PER_RUN + 1 }, () =>
      throughputRun(MAX_SAMPLES_PER_RUN),
    );
    expect(pathsOf(withRuns(...runs))).toEqual(['/observations/throughput']);
  });

  it('refuses a measurement above the decoded size cap before walking it', () => {
    const measurement = sampleMeasurement();
    const huge = { ...measurement, padding: 'x'.repeat(MAX_MEASUREMENT_BYTES) };
    const result = validateMeasurement(huge, '/measurements/0');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([
      { path: '/measurements/0', message: expect.stringMatching(/bytes of JSON; at most 524288$/) },
    ]);
  });

  it('lists the first few issues of an item and counts the rest, so the answer stays small', () => {
    const measurement = sampleMeasurement();
    const tcp = Array.from({ length: 200 }, () => ({ ip: 'nope', port: 0, failure: 'bad', t0: -1, t: -1 }));
    const result = validateMeasurement({ ...measurement, observations: { tcp } });
    const issues = result.ok ? [] : result.issues;
    expect(issues).toHaveLength(MAX_ISSUES_PER_ITEM + 1);
    expect(issues.at(-1)?.message).toMatch(/^\d+ more issues not listed/);
    expect(JSON.stringify(issues).length).toBeLessThan(2000);
  });
});
