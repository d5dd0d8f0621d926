import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import { ThroughputRun } from '@reachmap/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import type { LoopbackServer } from '../testing/loopback-server.ts';
import { startSilentTcpServer } from '../testing/tcp-servers.ts';
import { startThroughputServer } from '../testing/throughput-server.ts';
import { probeThroughput, type ThroughputTarget } from './probe-throughput.ts';
import { probeThroughputSuite } from './probe-throughput-suite.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(start: Promise<LoopbackServer>): Promise<LoopbackServer> {
  const server = await start;
  servers.push(server);
  return server;
}

const plain = (port: number, path: string): ThroughputTarget => ({
  ip: '127.0.0.1',
  port,
  tls: null,
  sniRole: 'target',
  path,
});

const context = () => ({ clock: createMeasurementClock(), timeoutMs: 2000 });

describe('probeThroughput', () => {
  it('downloads N bytes over TLS with the given SNI and completes without failure', async () => {
    const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
    const certificate = await issueCertificate(ca, { names: ['reflector.lab.test'] });
    const server = await serve(startThroughputServer({ certificate }));
    const run = await probeThroughput(
      {
        ...plain(server.port, '/download?bytes=2000000'),
        tls: { sni: 'reflector.lab.test', ca: ca.certificatePem },
      },
      { direction: 'download', bytes: 2_000_000 },
      context(),
    );
    expect(ThroughputRun.parse(run)).toEqual(run);
    expect(run).toMatchObject({
      direction: 'download',
      sni: 'reflector.lab.test',
      bytes: 2_000_000,
      failure: null,
    });
    expect(run.ttfb_s).not.toBeNull();
    expect(run.goodput_bps).toBeGreaterThan(1_000_000);
    expect(run.samples.at(-1)?.[1]).toBe(2_000_000);
    expect(run.t).toBeGreaterThanOrEqual(run.t0);
  });

  it('measures a 128 kbit/s policer as flat ~128 kbit/s goodput', async () => {
    const server = await serve(startThroughputServer({ rateBytesPerSecond: 16_000 }));
    const run = await probeThroughput(
      plain(server.port, '/download?bytes=10000000'),
      { direction: 'download', bytes: 10_000_000, maxDurationMs: 2500 },
      context(),
    );
    expect(run.failure).toBeNull();
    expect(run.goodput_bps).toBeGreaterThan(128_000 * 0.75);
    expect(run.goodput_bps).toBeLessThan(128_000 * 1.25);
    expect(run.duration_s).toBeGreaterThanOrEqual(2.4);
    expect(run.longest_stall_s).toBeLessThan(1);
    // Flat: every full second after the first moved about 16 kB.
    const bytesAt = (s: number) => run.samples.findLast(([t]) => t <= s)?.[1] ?? 0;
    for (const second of [1, 2]) {
      const perSecond = bytesAt(second + 0.5) - bytesAt(second - 0.5);
      expect(perSecond).toBeGreaterThan(16_000 * 0.6);
      expect(perSecond).toBeLessThan(16_000 * 1.4);
    }
    // Samples at least every 100 ms (generous bound for a loaded machine).
    const gaps = run.samples.slice(1).map(([t], i) => t - (run.samples[i]?.[0] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(0.5);
  });

  it('stops a transfer that stalls after 16 KB and records the stall', async () => {
    const server = await serve(startThroughputServer({ stallAfterBytes: 16_384 }));
    const run = await probeThroughput(
      plain(server.port, '/download?bytes=1000000'),
      { direction: 'download', bytes: 1_000_000, maxDurationMs: 10_000, stallTimeoutMs: 1000 },
      context(),
    );
    expect(run.failure).toBe('generic_timeout_error');
    expect(run.bytes).toBe(16_384);
    expect(run.bytes_before_stall).toBe(16_384);
    expect(run.longest_stall_s).toBeGreaterThanOrEqual(0.95);
    expect(run.duration_s).toBeLessThan(5);
  });

  it('records a server that never answers as a stall from the start', async () => {
    const server = await serve(startSilentTcpServer());
    const run = await probeThroughput(
      plain(server.port, '/download?bytes=1000'),
      { direction: 'download', bytes: 1000, stallTimeoutMs: 500 },
      context(),
    );
    expect(run).toMatchObject({
      failure: 'generic_timeout_error',
      bytes: 0,
      ttfb_s: null,
      bytes_before_stall: 0,
    });
    expect(run.longest_stall_s).toBeGreaterThanOrEqual(0.45);
  });

  it('records http_request_failed for a non-2xx answer', async () => {
    const server = await serve(startThroughputServer());
    const run = await probeThroughput(
      plain(server.port, '/nowhere'),
      { direction: 'download', bytes: 1000 },
      context(),
    );
    expect(run.failure).toBe('http_request_failed');
  });

  it('uploads N bytes and completes when the server answers', async () => {
    const server = await serve(startThroughputServer());
    const run = await probeThroughput(
      plain(server.port, '/upload'),
      { direction: 'upload', bytes: 4_000_000 },
      context(),
    );
    expect(ThroughputRun.parse(run)).toEqual(run);
    expect(run).toMatchObject({ direction: 'upload', bytes: 4_000_000, failure: null, ttfb_s: null });
    expect(run.goodput_bps).toBeGreaterThan(0);
  });

  it('detects an upload stall when the receiver stops reading', async () => {
    const server = await serve(startThroughputServer({ ignoreUploads: true }));
    const run = await probeThroughput(
      plain(server.port, '/upload'),
      { direction: 'upload', bytes: 256 * 1024 * 1024, stallTimeoutMs: 500 },
      context(),
    );
    expect(run.failure).toBe('generic_timeout_error');
    expect(run.bytes).toBeLessThan(256 * 1024 * 1024);
    expect(run.longest_stall_s).toBeGreaterThanOrEqual(0.45);
  });

  it('records a refused connection without samples', async () => {
    const server = await serve(startThroughputServer());
    await server.close();
    const run = await probeThroughput(
      plain(server.port, '/download?bytes=1'),
      { direction: 'download', bytes: 1 },
      context(),
    );
    expect(run).toMatchObject({ failure: 'connection_refused', samples: [], bytes: 0 });
  });
});

describe('probeThroughputSuite', () => {
  it('repeats the transfer over K fresh connections, numbered 0..K-1', async () => {
    const server = await serve(startThroughputServer());
    const runs = await probeThroughputSuite(
      plain(server.port, '/download?bytes=100000'),
      { direction: 'download', bytes: 100_000 },
      { ...context(), connections: 3 },
    );
    expect(runs.map((run) => [run.connection, run.bytes, run.failure])).toEqual([
      [0, 100_000, null],
      [1, 100_000, null],
      [2, 100_000, null],
    ]);
  });

  it('stops after a connection whose handshake timed out: the server is blackholed', async () => {
    const server = await serve(startSilentTcpServer());
    const runs = await probeThroughputSuite(
      { ...plain(server.port, '/download?bytes=1000'), tls: { sni: 'blackholed.lab' } },
      { direction: 'download', bytes: 1000 },
      { clock: createMeasurementClock(), timeoutMs: 300, connections: 5 },
    );
    expect(runs.map((run) => [run.connection, run.failure, run.samples.length])).toEqual([
      [0, 'generic_timeout_error', 0],
    ]);
  });

  it('goes on after fast failures: a refusal costs nothing and may hit only some flows', async () => {
    const server = await serve(startThroughputServer());
    await server.close();
    const runs = await probeThroughputSuite(
      plain(server.port, '/download?bytes=1'),
      { direction: 'download', bytes: 1 },
      { ...context(), connections: 3 },
    );
    expect(runs.map((run) => run.failure)).toEqual([
      'connection_refused',
      'connection_refused',
      'connection_refused',
    ]);
  });
});
