import net from 'node:net';
import { TcpConnect } from '@reachmap/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeasurementClock } from '../clock.ts';
import { type LoopbackServer, listenOnLoopback } from '../testing/loopback-server.ts';
import { startBlackholeListener, startSilentTcpServer } from '../testing/tcp-servers.ts';
import { probeTcpConnect } from './probe-tcp-connect.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function freePortWithNoListener(): Promise<number> {
  const server = await listenOnLoopback(net.createServer());
  await server.close();
  return server.port;
}

describe('probeTcpConnect', () => {
  it('records a successful connect with a connect time inside the budget', async () => {
    const server = await startSilentTcpServer();
    servers.push(server);
    const clock = createMeasurementClock();
    const observation = await probeTcpConnect(
      { ip: '127.0.0.1', port: server.port },
      { clock, timeoutMs: 2000 },
    );
    expect(TcpConnect.parse(observation)).toEqual(observation);
    expect(observation.failure).toBeNull();
    expect(observation.t).toBeGreaterThanOrEqual(observation.t0);
    expect(observation.t - observation.t0).toBeLessThan(2);
  });

  // An RST in reply to the SYN (nothing listening, or a `reject with tcp reset` rule) is ECONNREFUSED.
  it('records connection_refused when the SYN is answered with a reset', async () => {
    const port = await freePortWithNoListener();
    const observation = await probeTcpConnect(
      { ip: '127.0.0.1', port },
      { clock: createMeasurementClock(), timeoutMs: 2000 },
    );
    expect(observation.failure).toBe('connection_refused');
  });

  it('records generic_timeout_error when SYNs are dropped, after about the timeout', async () => {
    const server = await startBlackholeListener();
    servers.push(server);
    const observation = await probeTcpConnect(
      { ip: '127.0.0.1', port: server.port },
      { clock: createMeasurementClock(), timeoutMs: 500 },
    );
    expect(observation.failure).toBe('generic_timeout_error');
    expect(observation.t - observation.t0).toBeGreaterThanOrEqual(0.45);
    expect(observation.t - observation.t0).toBeLessThan(3);
  });

  it('records interrupted when the caller aborts', async () => {
    const server = await startBlackholeListener();
    servers.push(server);
    const observation = await probeTcpConnect(
      { ip: '127.0.0.1', port: server.port },
      { clock: createMeasurementClock(), timeoutMs: 5000, signal: AbortSignal.abort() },
    );
    expect(observation.failure).toBe('interrupted');
  });
});
