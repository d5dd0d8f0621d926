import { startThroughputServer } from '@reachmap/probes/testing';
import { type Measurement, MeasurementV1 } from '@reachmap/schema';
import { type Catalogue, catalogueVersionTag, type Target } from '@reachmap/targets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCKED_SNI,
  HARMLESS_SNI,
  type LoopbackNetwork,
  startLoopbackNetwork,
} from '../testing/loopback-network.ts';
import { type RoundOptions, runRound, UnknownTargetInCatalogueError } from './round-runner.ts';
import { summarizeRound } from './round-summary.ts';

let network: LoopbackNetwork;

beforeAll(async () => {
  network = await startLoopbackNetwork();
});

afterAll(async () => {
  await network?.close();
});

function roundOptions(overrides: Partial<RoundOptions> = {}): RoundOptions & { spooled: Measurement[] } {
  const spooled: Measurement[] = [];
  return {
    catalogue: network.catalogue,
    catalogueVersion: catalogueVersionTag(network.catalogue),
    agent: { id: 'agt_0000000000000000roundtest', software: { name: 'reachmap-agent', version: '0.1.0' } },
    network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'mobile' },
    source: 'agent',
    schedule: { round_deadline_s: 60, concurrency: 4 },
    signal: new AbortController().signal,
    onMeasurement: async (measurement) => {
      spooled.push(measurement);
    },
    ca: [network.caPem],
    ...overrides,
    spooled,
  };
}

describe('runRound', () => {
  it('measures controls first and lists their ids in every target measurement of the round', async () => {
    const options = roundOptions();
    const startedAt = Date.now();
    const report = await runRound(options);
    const elapsedS = (Date.now() - startedAt) / 1000;

    expect(report.localErrors).toEqual([]);
    expect(report.hitDeadline).toBe(false);
    // Seconds to a tenth: a loopback round can take under 50 ms and report 0 (seen in CI, 48 ms).
    expect(report.durationS).toBeGreaterThanOrEqual(0);
    expect(report.durationS).toBeLessThanOrEqual(elapsedS + 0.05);
    expect(options.spooled.map((m) => m.id)).toEqual(report.measurements.map((m) => m.id));
    const byTarget = new Map(report.measurements.map((m) => [m.target.id, m]));
    // The German domestic control does not judge an agent in Russia.
    expect([...byTarget.keys()].sort()).toEqual([
      'control-domestic-ru',
      'control-foreign-lab',
      'signal',
      'whatsapp',
    ]);
    const controls = report.measurements.filter((m) => m.target.kind === 'control');
    const services = report.measurements.filter((m) => m.target.kind === 'service');
    expect(report.measurements.slice(0, 2)).toEqual(controls);
    for (const service of services) {
      expect(service.round.controls.sort()).toEqual(controls.map((c) => c.id).sort());
    }
    for (const measurement of report.measurements) {
      expect(MeasurementV1.safeParse(measurement).success).toBe(true);
      expect(measurement.round.id).toBe(report.id);
      expect(measurement.source.kind).toBe('agent');
      expect(measurement.target.catalogue_version).toBe(catalogueVersionTag(network.catalogue));
      expect(measurement.network.network_type).toBe('mobile');
    }
  });

  it('starts a service only once every control of the round is complete', async () => {
    // Services probing beside the controls' transfers on a congested 2 Mbit/s line lost their DNS
    // lookups and handshakes: 13 of 53 service measurements `blocked` on a clean line, against 0 of 51
    // with controls first, in the same lab run (congested-uplink, docs/lab.md).
    const paced = await startThroughputServer({ rateBytesPerSecond: 128 * 1024 });
    try {
      const targets = network.catalogue.targets.map((target): Target => {
        if (target.id !== 'control-foreign-lab') return target;
        const url = `http://127.0.0.1:${paced.port}/download?bytes=65536`;
        const transfer = { source: { kind: 'url' as const, url }, bytes: 65_536, seconds: 5, connections: 2 };
        return { ...target, suite: { ...target.suite, throughput: [transfer] } };
      });
      const catalogue: Catalogue = { ...network.catalogue, targets };
      const report = await runRound(roundOptions({ catalogue, only: 'signal' }));

      expect(report.localErrors).toEqual([]);
      const control = report.measurements.find((m) => m.target.id === 'control-foreign-lab');
      const signal = report.measurements.find((m) => m.target.id === 'signal');
      if (control === undefined || signal === undefined) throw new Error('a suite was not measured');
      // The control's paced transfer takes about a second; the service's probes take milliseconds.
      expect(Date.parse(control.end_time) - Date.parse(control.start_time)).toBeGreaterThanOrEqual(800);
      expect(Date.parse(signal.start_time)).toBeGreaterThanOrEqual(Date.parse(control.end_time));
    } finally {
      await paced.close();
    }
  });

  it('records what the loopback censor does at each layer of the suite', async () => {
    const report = await runRound(roundOptions({ only: 'whatsapp' }));
    const whatsapp = report.measurements.find((m) => m.target.id === 'whatsapp');
    if (whatsapp === undefined) throw new Error('whatsapp was not measured');
    const { dns, tcp, tls, quic } = whatsapp.observations;

    const [honest, lying] = network.catalogue.resolvers.map((resolver) =>
      dns.find((query) => query.resolver.address === resolver.address),
    );
    expect(honest?.answers.map((answer) => answer.value)).toEqual(['127.0.0.1']);
    expect(lying?.rcode).toBe('NXDOMAIN');
    expect(tcp.some((connect) => connect.failure !== null)).toBe(true);
    const targetSni = tls.find((handshake) => handshake.sni === BLOCKED_SNI);
    const controlSni = tls.find((handshake) => handshake.sni === HARMLESS_SNI);
    expect(targetSni?.failure).not.toBeNull();
    expect(controlSni?.failure).toBeNull();
    expect(controlSni?.validation.valid).toBe(true);
    expect(quic).toHaveLength(1);
    expect(quic[0]?.response).toBe('version_negotiation');

    const hint = summarizeRound(report.measurements).find((summary) => summary.target === 'whatsapp')?.hint;
    expect(hint).toMatch(/SNI filtering/);
  });

  it('measures only the chosen target with its judges, and marks simulated measurements', async () => {
    const report = await runRound(roundOptions({ only: 'signal', source: 'simulated' }));
    expect(report.measurements.map((m) => m.target.id).sort()).toEqual([
      'control-domestic-ru',
      'control-foreign-lab',
      'signal',
    ]);
    expect(report.measurements.every((m) => m.source.kind === 'simulated')).toBe(true);
    const signal = report.measurements.find((m) => m.target.id === 'signal');
    expect(signal?.observations.http[0]?.response?.status).toBe(200);
    expect(signal?.observations.throughput).toHaveLength(2);
    expect(signal?.observations.throughput.every((run) => run.bytes === 65_536)).toBe(true);
  });

  it('refuses a target the catalogue does not have', async () => {
    await expect(runRound(roundOptions({ only: 'telegram' }))).rejects.toBeInstanceOf(
      UnknownTargetInCatalogueError,
    );
  });

  it('ends probes still running at the round deadline and still delivers the measurement', async () => {
    const hanging = {
      ...network.catalogue,
      targets: [
        {
          ...(network.catalogue.targets.find(
            (target) => target.id === 'whatsapp',
          ) as (typeof network.catalogue.targets)[number]),
          suite: {
            dns: null,
            tcp: [],
            tls: [
              { sni: HARMLESS_SNI, addresses: ['127.0.0.1'], port: network.silentPort, control_sni: null },
            ],
            http: [],
            quic: [],
            throughput: [],
          },
          judged_by: { domestic: [], foreign: [], same_hosting: [] },
        },
      ],
    };
    const started = Date.now();
    const report = await runRound(
      roundOptions({ catalogue: hanging, schedule: { round_deadline_s: 1, concurrency: 1 } }),
    );
    // The TLS probe's own budget is 10 s; the 1 s round deadline cuts it, as a caller's cancel (OONI df-007).
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(report.measurements).toHaveLength(1);
    expect(report.measurements[0]?.observations.tls[0]?.failure).toBe('interrupted');
    // Said in the report, so the operator learns the line is too slow for the schedule.
    expect(report.hitDeadline).toBe(true);
    expect(report.durationS).toBeGreaterThanOrEqual(1);
  });

  it('starts no further suite once told to stop, but finishes the ones running', async () => {
    const stopStarting = new AbortController();
    const options = roundOptions({
      schedule: { round_deadline_s: 60, concurrency: 1 },
      stopStarting: stopStarting.signal,
    });
    options.onMeasurement = async (measurement) => {
      options.spooled.push(measurement);
      stopStarting.abort();
    };
    const report = await runRound(options);
    expect(report.measurements).toHaveLength(1);
    expect(options.spooled).toHaveLength(1);
  });

  it('reports a spool failure as a local error of the round', async () => {
    const report = await runRound(
      roundOptions({
        only: 'control-foreign-lab',
        onMeasurement: async () => {
          throw new Error('ENOSPC: no space left on device');
        },
      }),
    );
    expect(report.localErrors).toEqual([
      { target: 'control-foreign-lab', message: 'ENOSPC: no space left on device' },
    ]);
  });
});
