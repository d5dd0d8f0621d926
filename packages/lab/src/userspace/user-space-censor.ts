import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Catalogue } from '@reachmap/targets';
import { type LyingResolver, startLyingResolver } from '../censor/lying-resolver.ts';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import { LAB_SYSTEM_RESOLVER_IP } from '../topology/addressing.ts';
import { LAB_BLOCKPAGE_HTML } from '../topology/censor-daemon.ts';
import { clientHelloServerName } from './client-hello.ts';
import { type Flow, ruleAfterClientHello, ruleAtOpen } from './flow-decision.ts';
import {
  agentSourceAddress,
  loopbackPort,
  regionLoopbackAddress,
  worldLoopbackAddress,
} from './loopback-addressing.ts';
import { TokenBucket } from './token-bucket.ts';

const POLICER_BURST_BYTES = 16_384;

export interface LabEndpoint {
  labIp: string;
  port: number;
  proto: 'tcp' | 'udp';
}

export interface UserSpaceCensorOptions {
  region: number;
  /** The region's agents, to map source addresses to agent indices for `agents` rules. */
  agents: number;
  rules: readonly ResolvedRule[];
  /** The lab catalogue (198.18 addresses): its zone feeds the region's system resolver. */
  catalogue: Catalogue;
  /** Destinations to relay; the runner passes `labEndpoints(catalogue)`. */
  endpoints: readonly LabEndpoint[];
  random?: () => number;
}

export interface UserSpaceCensor {
  /** The region's system resolver (`ip:port`) for its agents. */
  systemResolver: string;
  /** Replaces the rules (phases); open flows keep the rule that decided them. */
  setRules(rules: readonly ResolvedRule[]): Promise<void>;
  close(): Promise<void>;
}

function agentIndexOf(region: number, agents: number, sourceIp: string | undefined): number | null {
  for (let agent = 0; agent < agents; agent++)
    if (agentSourceAddress(region, agent) === sourceIp) return agent;
  return null;
}

/** Every TCP and UDP destination of a lab catalogue, ports unshifted. */
export function labEndpoints(catalogue: Catalogue): LabEndpoint[] {
  const zone = new Map(catalogue.dns_zone.map((record) => [record.hostname, record.addresses]));
  const ips = (host: string) => zone.get(host) ?? (/^198\.18\./.test(host) ? [host] : []);
  const found = new Map<string, LabEndpoint>();
  const add = (host: string, port: number, proto: 'tcp' | 'udp') => {
    for (const labIp of ips(host)) found.set(`${labIp}:${port}/${proto}`, { labIp, port, proto });
  };
  const addUrl = (raw: string) => {
    const url = new URL(raw);
    add(url.hostname, url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port), 'tcp');
  };
  for (const resolver of catalogue.resolvers) {
    if (resolver.kind === 'doh') addUrl(resolver.address);
    else {
      const [host = '', port = '53'] = resolver.address.split(':');
      add(host, Number(port), resolver.kind === 'udp' ? 'udp' : 'tcp');
    }
  }
  for (const reflector of catalogue.reflectors) {
    add(reflector.host, reflector.port, 'tcp');
    add(reflector.host, reflector.port, 'udp');
  }
  for (const target of catalogue.targets) {
    for (const endpoint of target.suite.tcp)
      for (const port of endpoint.ports) add(endpoint.host, port, 'tcp');
    for (const endpoint of target.suite.tls)
      for (const host of endpoint.addresses) add(host, endpoint.port, 'tcp');
    for (const check of target.suite.http) addUrl(check.url);
    for (const endpoint of target.suite.quic) add(endpoint.host, endpoint.port, 'udp');
    for (const spec of target.suite.throughput) if (spec.source.kind === 'url') addUrl(spec.source.url);
  }
  return [...found.values()];
}

/** Applies the deciding rule (null: none) to an accepted TCP connection, relaying it to the world twin if allowed. */
function relayTcp(client: Socket, flow: Flow, firstChunk: Buffer, rule: ResolvedRule | null): void {
  const action = rule?.action ?? null;
  if (action?.kind === 'reset') return void client.resetAndDestroy();
  if (action?.kind === 'drop' || action?.kind === 'outage' || action?.kind === 'allowlist') {
    // Silence: the connection stays open and nothing comes back (a kernel drop would not even accept it).
    client.pause();
    return;
  }
  if (action?.kind === 'blockpage') {
    const body = LAB_BLOCKPAGE_HTML;
    client.end(
      `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    return;
  }
  const upstream = connect({ host: worldLoopbackAddress(flow.labIp), port: loopbackPort(flow.port) });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  const toServer = shaper(action);
  const toClient = shaper(action);
  let replyBytes = 0;
  const pipe = (
    from: Socket,
    to: Socket,
    shape: (chunk: Buffer, send: () => void) => void,
    isReply: boolean,
  ) => {
    from.on('data', (chunk: Buffer) => {
      if (isReply && action?.kind === 'stallAfter') {
        // DOMAIN.md: the flow goes silent after N reply bytes, with no RST.
        const allowed = Math.max(0, action.bytes - replyBytes);
        replyBytes += chunk.length;
        if (allowed === 0) return;
        chunk = chunk.subarray(0, allowed);
      }
      from.pause();
      shape(chunk, () => {
        to.write(chunk);
        from.resume();
      });
    });
  };
  pipe(client, upstream, toServer, false);
  pipe(upstream, client, toClient, true);
  if (firstChunk.length > 0) client.emit('data', firstChunk);
}

/** Paces chunks for `police` (token bucket) and `netem` delay; loss has no meaning inside a TCP stream. */
function shaper(action: ResolvedRule['action'] | null): (chunk: Buffer, send: () => void) => void {
  if (action?.kind === 'police') {
    const bucket = new TokenBucket(action.rateBps, POLICER_BURST_BYTES);
    return (chunk, send) => {
      const wait = bucket.take(chunk.length);
      if (wait === 0) send();
      else setTimeout(send, wait);
    };
  }
  if (action?.kind === 'netem' && action.delayMs > 0)
    return (_chunk, send) => void setTimeout(send, action.delayMs);
  return (_chunk, send) => send();
}

/**
 * One region's censor without root: TCP and UDP relays on the region's loopback twins of every lab
 * endpoint, forwarding to the world's twins under the region's rules, plus its system resolver.
 */
export async function startUserSpaceCensor(options: UserSpaceCensorOptions): Promise<UserSpaceCensor> {
  const random = options.random ?? Math.random;
  let rules = options.rules;
  const servers: Server[] = [];
  const udpSockets: UdpSocket[] = [];
  const openSockets = new Set<Socket>();
  const resolverHost = regionLoopbackAddress(LAB_SYSTEM_RESOLVER_IP, options.region);
  let resolver: LyingResolver | null = null;
  const startResolver = async () => {
    await resolver?.close();
    resolver = await startLyingResolver({
      host: resolverHost,
      port: loopbackPort(53),
      // Logical (198.18) answers: agents record them and reach them through their ProbeNetwork rewrite.
      rules,
      zone: options.catalogue.dns_zone,
      agentIndexOf: (ip) => agentIndexOf(options.region, options.agents, ip),
    });
  };

  for (const endpoint of options.endpoints) {
    const host = regionLoopbackAddress(endpoint.labIp, options.region);
    const port = loopbackPort(endpoint.port);
    if (endpoint.proto === 'tcp') {
      const server = createServer((client) => {
        openSockets.add(client);
        client.once('close', () => openSockets.delete(client));
        client.on('error', () => client.destroy());
        const flow: Flow = {
          labIp: endpoint.labIp,
          port: endpoint.port,
          proto: 'tcp',
          agentIndex: agentIndexOf(options.region, options.agents, client.remoteAddress),
        };
        const atOpen = ruleAtOpen(rules, flow, random);
        if (
          atOpen !== null &&
          atOpen.action.kind !== 'blockpage' &&
          !rules.some((rule) => rule.sni !== null)
        ) {
          return relayTcp(client, flow, Buffer.alloc(0), atOpen);
        }
        // Peek the first client bytes: a ClientHello's SNI may bring an earlier rule into play.
        client.once('data', (first: Buffer) => {
          const serverName = clientHelloServerName(first);
          const rule =
            serverName === null ? atOpen : ruleAfterClientHello(rules, flow, serverName, atOpen, random);
          relayTcp(client, flow, first, rule);
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      servers.push(server);
    } else {
      udpSockets.push(await startUdpRelay(host, port, endpoint, options, () => rules, random));
    }
  }
  await startResolver();

  return {
    systemResolver: `${resolverHost}:${loopbackPort(53)}`,
    async setRules(next) {
      rules = next;
      await startResolver();
    },
    async close() {
      for (const socket of openSockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      await Promise.all(
        udpSockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
      );
      await resolver?.close();
    },
  };
}

/** Relays datagrams per client; drops, loses or delays them as the deciding rule says. */
async function startUdpRelay(
  host: string,
  port: number,
  endpoint: LabEndpoint,
  options: UserSpaceCensorOptions,
  currentRules: () => readonly ResolvedRule[],
  random: () => number,
): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  const upstreams = new Map<string, UdpSocket>();
  socket.on('message', (message, remote) => {
    const flow: Flow = {
      labIp: endpoint.labIp,
      port: endpoint.port,
      proto: 'udp',
      agentIndex: agentIndexOf(options.region, options.agents, remote.address),
    };
    const action = ruleAtOpen(currentRules(), flow, random)?.action ?? null;
    if (action !== null && ['drop', 'reset', 'outage', 'allowlist'].includes(action.kind)) return;
    if (action?.kind === 'netem' && random() * 100 < action.lossPercent) return;
    const key = `${remote.address}:${remote.port}`;
    let upstream = upstreams.get(key);
    if (upstream === undefined) {
      const created = createSocket('udp4');
      created.on('message', (reply) => socket.send(reply, remote.port, remote.address));
      upstreams.set(key, created);
      upstream = created;
    }
    const send = () =>
      upstream.send(message, loopbackPort(endpoint.port), worldLoopbackAddress(endpoint.labIp));
    if (action?.kind === 'netem' && action.delayMs > 0) setTimeout(send, action.delayMs);
    else send();
  });
  socket.once('close', () => {
    for (const upstream of upstreams.values()) upstream.close();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return socket;
}
