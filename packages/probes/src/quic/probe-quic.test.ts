import { QuicProbe } from '@reachmap/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import {
  type LoopbackUdpServer,
  startSilentUdpServer,
  startVersionNegotiationServer,
} from '../testing/udp-servers.ts';
import { probeQuic } from './probe-quic.ts';

const servers: LoopbackUdpServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('probeQuic', () => {
  it('records a Version Negotiation reply as a response without failure', async () => {
    const server = await startVersionNegotiationServer();
    servers.push(server);
    const probe = await probeQuic(
      { ip: '127.0.0.1', port: server.port, sni: 'quic.lab.test' },
      { clock: createMeasurementClock(), timeoutMs: 2000 },
    );
    expect(QuicProbe.parse(probe)).toEqual(probe);
    expect(probe).toMatchObject({ sni: 'quic.lab.test', response: 'version_negotiation', failure: null });
    expect(probe.t).toBeGreaterThanOrEqual(probe.t0);
    expect(probe.t - probe.t0).toBeLessThan(2);
  });

  it('sends its Initial again after a probe timeout, so one datagram lost on the line is not a block', async () => {
    const server = await startVersionNegotiationServer({ lose: 1 });
    servers.push(server);
    const probe = await probeQuic(
      { ip: '127.0.0.1', port: server.port, sni: 'quic.lab.test' },
      { clock: createMeasurementClock(), timeoutMs: 2500 },
    );
    expect(probe).toMatchObject({ response: 'version_negotiation', failure: null });
    // Answered to the copy sent at the first probe timeout (1 s), not before.
    expect(probe.t - probe.t0).toBeGreaterThanOrEqual(0.95);
    expect(probe.t - probe.t0).toBeLessThan(2);
  });

  it('records silence as a null response and generic_timeout_error after the timeout', async () => {
    const server = await startSilentUdpServer();
    servers.push(server);
    const probe = await probeQuic(
      { ip: '127.0.0.1', port: server.port, sni: 'quic.lab.test' },
      { clock: createMeasurementClock(), timeoutMs: 400 },
    );
    expect(probe).toMatchObject({ response: null, failure: 'generic_timeout_error' });
    expect(probe.t - probe.t0).toBeGreaterThanOrEqual(0.35);
  });

  it('records an ICMP port-unreachable as connection_refused', async () => {
    const server = await startSilentUdpServer();
    server.close();
    const probe = await probeQuic(
      { ip: '127.0.0.1', port: server.port, sni: 'quic.lab.test' },
      { clock: createMeasurementClock(), timeoutMs: 2000 },
    );
    expect(probe).toMatchObject({ response: null, failure: 'connection_refused' });
  });
});
