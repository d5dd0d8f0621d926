import { createSocket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import { createServer as createHttpServer, get } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createMeasurementClock, probeDns } from '@reachmap/probes';
import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveRules } from '../censor/resolve-rules.ts';
import { CensorRule } from '../scenario/censor-rule.ts';
import {
  agentSourceAddress,
  loopbackPort,
  regionLoopbackAddress,
  worldLoopbackAddress,
} from './loopback-addressing.ts';
import { type LabEndpoint, startUserSpaceCensor, type UserSpaceCensor } from './user-space-censor.ts';

const TELEGRAM_DC = '198.18.2.3';
const WHATSAPP_E1 = '198.18.1.1';
const REGION = 7;
const endpoints: LabEndpoint[] = [
  { labIp: TELEGRAM_DC, port: 443, proto: 'tcp' },
  { labIp: WHATSAPP_E1, port: 443, proto: 'tcp' },
];

let catalogue: Catalogue;
const worldServers: Server[] = [];
let censor: UserSpaceCensor | null = null;

beforeAll(async () => {
  catalogue = await loadCatalogue({ kind: 'lab' });
  // Telegram's twin serves downloads and closes after each, like the lab's target servers; WhatsApp's
  // answers "hello" to whatever it is sent (a ClientHello).
  const download = createHttpServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://lab').searchParams;
    const bytes = Number(query.get('bytes') ?? '0');
    response.writeHead(200, { 'content-length': String(bytes), connection: 'close' });
    // `pieces` sends the body in that many writes 5 ms apart, so the relay reads them one by one.
    const pieces = Number(query.get('pieces') ?? '1');
    const size = Math.ceil(bytes / pieces);
    const writePiece = (offset: number) => {
      if (offset + size >= bytes) return void response.end(Buffer.alloc(bytes - offset, 0x61));
      response.write(Buffer.alloc(size, 0x61));
      setTimeout(() => writePiece(offset + size), 5);
    };
    writePiece(0);
  });
  const greeter = createServer((socket) => socket.once('data', () => socket.end('hello')));
  for (const [server, ip] of [
    [download, TELEGRAM_DC],
    [greeter, WHATSAPP_E1],
  ] as const) {
    await new Promise<void>((resolve) => server.listen(loopbackPort(443), worldLoopbackAddress(ip), resolve));
    worldServers.push(server);
  }
});

afterAll(async () => {
  await Promise.all(worldServers.map((server) => new Promise((resolve) => server.close(resolve))));
});

afterEach(async () => {
  await censor?.close();
  censor = null;
});

async function startWith(
  rules: unknown[],
  extra: Partial<Parameters<typeof startUserSpaceCensor>[0]> = {},
): Promise<UserSpaceCensor> {
  const parsed = rules.map((rule) => CensorRule.parse(rule));
  censor = await startUserSpaceCensor({
    region: REGION,
    agents: 2,
    rules: resolveRules(parsed, catalogue),
    catalogue,
    endpoints,
    ...extra,
  });
  return censor;
}

const openFds = () => readdirSync('/proc/self/fd').length;

/** One datagram from a fresh source port to the region's twin of `labIp:port`; resolves on the echo. */
function udpExchange(labIp: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const client = createSocket('udp4');
    const done = (answered: boolean) => {
      clearTimeout(timer);
      client.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 2_000);
    client.once('message', () => done(true));
    client.send('ping', loopbackPort(port), regionLoopbackAddress(labIp, REGION));
  });
}

/** Downloads through the region's twin of the Telegram DC; resolves with bytes received and elapsed ms. */
function download(
  bytes: number,
  giveUpMs: number,
  pieces = 1,
): Promise<{ bytes: number; ms: number; error: string | null }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let received = 0;
    const settle = (error: string | null) =>
      resolve({ bytes: received, ms: performance.now() - started, error });
    const request = get(
      {
        host: regionLoopbackAddress(TELEGRAM_DC, REGION),
        port: loopbackPort(443),
        path: `/download?bytes=${bytes}&pieces=${pieces}`,
      },
      (response) => {
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        response.on('end', () => settle(null));
        // A relay that passes the server's close on ends the reply early instead of going silent.
        response.on('close', () => {
          if (!response.complete) settle('closed');
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'error'));
    setTimeout(() => {
      request.destroy();
      settle('gave-up');
    }, giveUpMs);
  });
}

/** A bare TCP connect to the region's twin of the Telegram DC, from `localAddress` when given. */
function plainConnect(localAddress?: string): Promise<'connected' | 'timeout' | string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: regionLoopbackAddress(TELEGRAM_DC, REGION),
      port: loopbackPort(443),
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 1_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? 'error');
    });
  });
}

function tlsHello(serverName: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: regionLoopbackAddress(WHATSAPP_E1, REGION),
      port: loopbackPort(443),
      servername: serverName,
      rejectUnauthorized: false,
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 1_500);
  });
}

describe('user-space censor', () => {
  it('relays untouched without rules', async () => {
    await startWith([]);
    expect(await download(100_000, 5_000)).toMatchObject({ bytes: 100_000, error: null });
  });

  it('reset tears the connection down with a RST', async () => {
    await startWith([{ match: { target: 'telegram' }, action: 'reset' }]);
    expect((await download(1_000, 3_000)).error).toBe('ECONNRESET');
  });

  it('drop holds the connection silently', async () => {
    await startWith([{ match: { target: 'telegram' }, action: 'drop' }]);
    expect(await download(1_000, 1_500)).toMatchObject({ bytes: 0, error: 'gave-up' });
  });

  it('stallAfter delivers the first bytes, then nothing', async () => {
    await startWith([{ match: { target: 'telegram' }, action: { stallAfter: '16KiB' } }]);
    const result = await download(1_000_000, 2_000);
    expect(result.error).toBe('gave-up');
    expect(result.bytes).toBeGreaterThan(8_000);
    expect(result.bytes).toBeLessThanOrEqual(16_384);
  });

  it('police paces the download near the rate', async () => {
    await startWith([{ match: { target: 'telegram' }, action: { police: '400kbit' } }]);
    // 100 kB at 400 kbit/s (50 kB/s) after a 16 KiB burst takes about 1.7 s; generous lower bound.
    const result = await download(100_000, 10_000);
    expect(result.bytes).toBe(100_000);
    expect(result.ms).toBeGreaterThan(1_000);
  });

  it('delay adds latency once per direction, not once per chunk read', async () => {
    await startWith([{ match: { target: 'telegram' }, action: { delay: '200ms' } }]);
    // 40 pieces 5 ms apart: held for the delay one after another they would take 40 × 200 ms = 8 s.
    const result = await download(56_000, 10_000, 40);
    expect(result).toMatchObject({ bytes: 56_000, error: null });
    expect(result.ms).toBeGreaterThanOrEqual(400);
    expect(result.ms).toBeLessThan(4_000);
  });

  it('an SNI rule resets the ClientHello naming the target and lets a harmless SNI through', async () => {
    await startWith([{ match: { sni: '*.whatsapp.net' }, action: 'reset' }]);
    expect(await tlsHello('e1.whatsapp.net.lab')).toBe('ECONNRESET');
    // The greeter answers "hello" to the harmless ClientHello, which TLS reads as a broken record.
    expect(await tlsHello('example.com.lab')).not.toBe('ECONNRESET');
  });

  it('dns nxdomain makes the region resolver deny the names, others resolve to their lab addresses', async () => {
    const running = await startWith([{ match: { target: 'whatsapp' }, action: { dns: 'nxdomain' } }]);
    const context = { clock: createMeasurementClock(), timeoutMs: 2_000 };
    const resolver = { kind: 'udp', address: running.systemResolver } as const;
    const blocked = await probeDns(resolver, { hostname: 'e1.whatsapp.net.lab', type: 'A' }, context);
    expect(blocked.failure).toBe('dns_nxdomain_error');
    const other = await probeDns(resolver, { hostname: 'web.telegram.org.lab', type: 'A' }, context);
    // Logical answers, not loopback twins: the probes would flag 127/8 as a bogon (docs/lab.md).
    expect(other).toMatchObject({ rcode: 'NOERROR', failure: null, answers: [{ value: '198.18.2.1' }] });
  });

  it('a drop for every agent leaves SYNs unanswered, as a kernel drop does', async () => {
    await startWith([{ match: { target: 'telegram' }, action: 'drop' }]);
    expect(await plainConnect()).toBe('timeout');
    expect(await plainConnect(agentSourceAddress(REGION, 1))).toBe('timeout');
  });

  it('a phase hands the endpoint from the blackhole to the relay and back', async () => {
    const running = await startWith([{ match: { target: 'telegram' }, action: 'drop' }]);
    await running.setRules([]);
    expect(await plainConnect()).toBe('connected');
    await running.setRules(
      resolveRules([CensorRule.parse({ match: { target: 'telegram' }, action: 'drop' })], catalogue),
    );
    expect(await plainConnect()).toBe('timeout');
  });

  it('a drop for some agents accepts their connection, then stays silent (documented approximation)', async () => {
    await startWith([{ match: { target: 'telegram', agents: [0] }, action: 'drop' }]);
    expect(await plainConnect(agentSourceAddress(REGION, 0))).toBe('connected');
    expect(await download(1_000, 1_500)).toMatchObject({ bytes: 1_000, error: null });
  });
});

describe('user-space censor resources', () => {
  const UDP_ECHO = '198.18.9.9';
  const udpEndpoints: LabEndpoint[] = [...endpoints, { labIp: UDP_ECHO, port: 7, proto: 'udp' }];
  const echo = createSocket('udp4');
  beforeAll(async () => {
    echo.on('message', (message, remote) => echo.send(message, remote.port, remote.address));
    await new Promise<void>((resolve) => echo.bind(loopbackPort(7), worldLoopbackAddress(UDP_ECHO), resolve));
  });
  // A stand-in resolver on port 53 of the world: an echo answers as a resolver would, once per query.
  const UDP_DNS = '198.18.9.53';
  const dnsEndpoints: LabEndpoint[] = [...endpoints, { labIp: UDP_DNS, port: 53, proto: 'udp' }];
  const dns = createSocket('udp4');
  beforeAll(async () => {
    dns.on('message', (message, remote) => dns.send(message, remote.port, remote.address));
    await new Promise<void>((resolve) => dns.bind(loopbackPort(53), worldLoopbackAddress(UDP_DNS), resolve));
  });
  afterAll(() => {
    echo.close();
    dns.close();
  });

  it('keeps a bounded UDP flow table however many source ports ask, and closes idle flows', async () => {
    // Every DNS query of every demo agent comes from a new source port; one upstream socket per port,
    // never closed, once ran the demo out of descriptors (EMFILE) in about 20 minutes.
    await startWith([], { endpoints: udpEndpoints, limits: { maxUdpFlows: 20, udpIdleMs: 400 } });
    const baseline = openFds();
    let answered = 0;
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => udpExchange(UDP_ECHO, 7)));
      answered += results.filter(Boolean).length;
    }
    expect(answered).toBe(200);
    // 200 distinct source ports; the table holds 20 upstream sockets at most.
    expect(openFds() - baseline).toBeLessThanOrEqual(25);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(openFds() - baseline).toBeLessThanOrEqual(2);
  });

  it('ends a DNS flow with its answer instead of holding it for the idle timeout', async () => {
    await startWith([], { endpoints: dnsEndpoints, limits: { udpIdleMs: 60_000 } });
    const baseline = openFds();
    const results = await Promise.all(Array.from({ length: 50 }, () => udpExchange(UDP_DNS, 53)));
    expect(results.every(Boolean)).toBe(true);
    // 50 answered queries from 50 source ports; with a 60 s idle timeout they would hold 50 sockets.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(openFds() - baseline).toBeLessThanOrEqual(2);
  });

  it('closes a TCP flow that stays silent past the idle timeout', async () => {
    await startWith([{ match: { target: 'telegram', agents: [0] }, action: 'drop' }], {
      limits: { tcpIdleMs: 300 },
    });
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect({
        host: regionLoopbackAddress(TELEGRAM_DC, REGION),
        port: loopbackPort(443),
        localAddress: agentSourceAddress(REGION, 0),
      });
      socket.on('error', () => {});
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 3_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    expect(closed).toBe(true);
  });
});
