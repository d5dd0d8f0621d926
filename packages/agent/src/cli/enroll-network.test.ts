import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMmdb } from '@reachmap/collector/testing/write-mmdb';
import { type RunningReflector, startReflector } from '@reachmap/reflector';
import { createLogger } from '@reachmap/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentity } from '../identity/agent-identity.ts';
import { type CollectorFixture, startCollectorFixture } from '../testing/collector-fixture.ts';
import { type LoopbackNetwork, startLoopbackNetwork } from '../testing/loopback-network.ts';
import { runCli } from './run-cli.ts';

let network: LoopbackNetwork;
let collector: CollectorFixture;
let reflector: RunningReflector;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reachmap-enrol-network-'));
  // The collector's GeoIP database (City + ASN) places this machine's loopback address in RU-MOW, AS64500.
  const database = join(dir, 'geo.mmdb');
  const record = {
    country: { iso_code: 'RU' },
    subdivisions: [{ iso_code: 'MOW' }],
    autonomous_system_number: 64500,
  };
  await writeFile(database, writeMmdb([{ address: '127.0.0.1', record }]));
  network = await startLoopbackNetwork();
  // A real reflector is the control endpoint that echoes the agent's public address (its own view).
  reflector = await startReflector(
    {
      host: '127.0.0.1',
      port: 0,
      quicPort: 0,
      tls: { kind: 'generate', names: ['reflector.reachmap.lab'] },
      limits: {
        maxRequestBytes: 1024,
        bytesPerWindow: 1024 * 1024,
        windowSeconds: 60,
        rateBytesPerSecond: 1024 * 1024,
        burstBytes: 1024 * 1024,
        maxConnectionsPerClient: 10,
      },
      logLevel: 'silent',
    },
    createLogger({ name: 'reflector-test', level: 'silent' }),
  );
  collector = await startCollectorFixture(network.catalogue, undefined, {
    geoIpDatabases: [database],
    addressEchoUrl: `http://127.0.0.1:${reflector.tcpPort}/address`,
  });
});

afterAll(async () => {
  await collector?.close();
  await reflector?.close();
  await network?.close();
  await rm(dir, { recursive: true, force: true });
});

async function enrol(name: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stateDir = join(dir, name);
  const token = await collector.createToken();
  const code = await runCli(['enroll', '--collector', collector.url, '--token', token, ...args], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { REACHMAP_AGENT_DIR: stateDir },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), stateDir };
}

describe('enroll with the network detected by the collector', () => {
  it('takes the detected country, region and ASN when the operator declares none, showing both views', async () => {
    const result = await enrol('detected', '--network-type', 'fixed');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /network +RU \/ RU-MOW, AS64500, fixed \(detected by the collector at 127\.0\.0\.1\)/,
    );
    expect(result.out).toMatch(/seen by +the collector at 127\.0\.0\.1, in RU \/ RU-MOW AS64500/);
    expect(result.out).toMatch(/a control endpoint at 127\.0\.0\.1, in RU \/ RU-MOW AS64500/);
    const identity = await loadIdentity(result.stateDir);
    expect(identity.network).toMatchObject({ country: 'RU', region: 'RU-MOW', asn: 64500 });
    const record = (await collector.agents()).find((agent) => agent.id === identity.agent_id);
    expect(record?.agent_view).toEqual({
      address: '127.0.0.1',
      country: 'RU',
      region: 'RU-MOW',
      asn: 64500,
      agrees: true,
    });
  });

  it('refuses another declared network without a reason, and keeps it with one', async () => {
    const refused = await enrol('refused', '--country', 'DE', '--asn', '3320');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/the collector sees this agent at 127\.0\.0\.1, in RU \/ RU-MOW AS64500/);
    expect(refused.err).toMatch(/--override-reason/);

    const reason = 'tunnel exit in Moscow, the line is in Berlin';
    const kept = await enrol('kept', '--country', 'DE', '--asn', '3320', '--override-reason', reason);
    expect(kept.code).toBe(0);
    expect(kept.out).toMatch(
      /network +DE, AS3320, unknown \(declared; the collector detected RU \/ RU-MOW AS64500/,
    );
    const agentId = (await loadIdentity(kept.stateDir)).agent_id;
    const record = (await collector.agents()).find((agent) => agent.id === agentId);
    expect(record).toMatchObject({ network: { country: 'DE', asn: 3320 }, network_override_reason: reason });
  });
});
