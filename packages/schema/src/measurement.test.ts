import { describe, expect, it } from 'vitest';
import { MeasurementV1 } from './measurement.ts';
import { sampleMeasurement } from './testing.ts';
import { validateMeasurement } from './validation.ts';

function pathsOf(input: unknown): string[] {
  const result = validateMeasurement(input);
  return result.ok ? [] : result.issues.map((issue) => issue.path);
}

describe('measurement format v1', () => {
  it('round-trips through JSON unchanged', () => {
    const measurement = sampleMeasurement();
    const result = validateMeasurement(JSON.parse(JSON.stringify(measurement)));
    expect(result).toEqual({ ok: true, value: measurement });
  });

  it('fills omitted observation layers with empty lists', () => {
    const { observations: _omitted, ...rest } = sampleMeasurement();
    const parsed = MeasurementV1.parse({ ...rest, observations: { tcp: [] } });
    expect(parsed.observations).toMatchObject({ dns: [], tls: [], http: [], quic: [], throughput: [] });
  });

  it.each([
    ['a non-UUIDv7 id', { id: '6f1c2c9a-1b2c-4d3e-8f4a-1234567890ab' }, ['/id']],
    [
      'a lower-case country',
      { network: { country: 'ru', region: null, asn: 1, network_type: 'fixed' } },
      ['/network/country'],
    ],
    [
      "a region outside the agent's country",
      { network: { country: 'DE', region: 'RU-MOW', asn: 1, network_type: 'fixed' } },
      ['/network/region'],
    ],
    [
      'ASN zero',
      { network: { country: 'RU', region: null, asn: 0, network_type: 'fixed' } },
      ['/network/asn'],
    ],
    [
      'an unknown network type',
      { network: { country: 'RU', region: null, asn: 1, network_type: 'satellite' } },
      ['/network/network_type'],
    ],
    [
      'an agent id without prefix',
      { agent: { id: 'agent-1', software: { name: 'reachmap-agent', version: '0.1.0' } } },
      ['/agent/id'],
    ],
    [
      'end before start',
      { start_time: '2026-11-23T10:00:00Z', end_time: '2026-11-23T09:00:00Z' },
      ['/end_time'],
    ],
    ['an OONI source without provenance', { source: { kind: 'ooni', ooni: null } }, ['/source/ooni']],
    [
      'a control without its kind',
      {
        target: {
          id: 'control-foreign',
          kind: 'control',
          control: null,
          input: null,
          catalogue_version: '1',
        },
      },
      ['/target/control'],
    ],
  ])('rejects %s at the precise path', (_case, override, paths) => {
    expect(pathsOf({ ...sampleMeasurement(), ...override })).toEqual(paths);
  });

  it('points into nested observations', () => {
    const measurement = sampleMeasurement();
    const bad = {
      ...measurement,
      observations: {
        ...measurement.observations,
        tcp: [{ ip: '198.18.0.10', port: 70000, failure: 'made_up_failure', t0: 0, t: 0.1 }],
      },
    };
    expect(pathsOf(bad)).toEqual(['/observations/tcp/0/port', '/observations/tcp/0/failure']);
  });

  it('accepts unknown failures only with the unknown_failure prefix', () => {
    const measurement = sampleMeasurement();
    const withFailure = (failure: string) => ({
      ...measurement,
      observations: {
        ...measurement.observations,
        tcp: [{ ip: '198.18.0.10', port: 443, failure, t0: 0, t: 1 }],
      },
    });
    expect(validateMeasurement(withFailure('unknown_failure: EWHATEVER odd')).ok).toBe(true);
    expect(validateMeasurement(withFailure('EWHATEVER')).ok).toBe(false);
  });

  it.each([
    [null, '', 'expected a measurement object'],
    [[], '', 'expected a measurement object'],
    [{ schema_version: 2 }, '/schema_version', 'unsupported schema_version 2; this server accepts 1'],
    [{}, '/schema_version', 'unsupported schema_version undefined; this server accepts 1'],
  ])('explains an unusable document %j', (input, path, message) => {
    expect(validateMeasurement(input)).toEqual({ ok: false, issues: [{ path, message }] });
  });

  it('prefixes pointers with the item position inside a batch', () => {
    const result = validateMeasurement({ ...sampleMeasurement(), id: 'x' }, '/measurements/3');
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['/measurements/3/id']);
  });
});
