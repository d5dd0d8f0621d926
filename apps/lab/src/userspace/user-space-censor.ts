import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { TokenBucket } from '@reachmap/reflector';
import type { Catalogue } from '@reachmap/targets';
import { type LyingResolver, startLyingResolver } from '../censor/lying-resolver.ts';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import { LAB_SYSTEM_RESOLVER_IP } from '../topology/addressing.ts';
import { LAB_BLOCKPAGE_HTML } from '../topology/censor-daemon.ts';
import { clientHelloServerName } from './client-hello.ts';
import {
  type Flow,
  lossPercentOf,
  ruleAfterClientHello,
  ruleAtOpen,
  ruleForEveryAgent,
} from './flow-decision.ts';
import { FlowTable } from './flow-table.ts';
import {
  agentSourceAddress,
  loopbackPort,
  regionLoopbackAddress,
  type WorldPlacement,
  worldLoopbackPlacement,
} from './loopback-addressing.ts';
import { type Listener, listenOnFreedPort, type SynBlackhole, startSynBlackhole } from './syn-blackhole.ts';

const POLICER_BURST_BYTES = 16_384;
/** Actions that answer nothing at all: their SYNs go unanswered in the kernel lab too. */
const SILENT_AT_OPEN: ReadonlySet<ResolvedRule['action']['kind']> = new Set(['drop', 'outage', 'allowlist']);
/** A typical Ethernet MSS: the size of the packets a kernel policer would meter. */
const POLICED_PIECE_BYTES = 1_460;

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
  /** Where the world's services are reached; default the lab runner's (`worldLoopbackPlacement`). */
  world?: WorldPlacement;
  /** Bounds on what relays hold open; defaults in `DEFAULT_RELAY_LIMITS`. */
  limits?: Partial<RelayLimits>;
  /**
   * Told about socket and server errors, which never escape as an unhandled 'error' event (that would
   * take the whole process down: the demo network shares it with nothing, but a lab fault is not news).
   */
  onError?: (error: Error, where: string) => void;
}

export interface RelayLimits {
  /** UDP flows (client address:port → upstream socket) per relayed endpoint. */
  maxUdpFlows: number;
  /** A UDP flow without a datagram either way for this long is closed. */
  udpIdleMs: number;
  /** Concurrent TCP connections per relayed endpoint; more are refused. */
  maxTcpConnections: number;
  /** A TCP connection with no byte either way for this long is closed. */
  tcpIdleMs: number;
}

/**
 * A DNS exchange or a QUIC handshake is over in seconds; a probe gives up on a silent TCP flow within
 * its deadline (15–30 s), so two minutes of silence closes nothing a measurement still waits on.
 */
const DNS_PORT = 53;

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxUdpFlows: 1_024,
  udpIdleMs: 30_000,
  maxTcpConnections: 1_024,
  tcpIdleMs: 120_000,
};

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

/**
 * Applies the deciding filter rule (null: none) to an accepted TCP connection, relaying it to the world
 * twin if allowed, shaped by the flow's line rule (police, delay; null: none) underneath.
 */
function relayTcp(
  client: Socket,
  flow: Flow,
  firstChunk: Buffer,
  rule: ResolvedRule | null,
  line: ResolvedRule | null,
  world: WorldPlacement,
): void {
  const action = rule?.action ?? null;
  const lineAction = line?.action ?? null;
  if (action?.kind === 'reset') return void client.resetAndDestroy();
  if (action !== null && SILENT_AT_OPEN.has(action.kind)) {
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
  const { host, port } = world(flow.labIp, flow.port);
  const upstream = connect({ host, port });
  let replyBytes = 0;
  // A stalled flow is silent for good (docs/techniques.md: no RST): not even the server's FIN or error reaches the client.
  const replyStalled = () => action?.kind === 'stallAfter' && replyBytes >= action.bytes;
  upstream.on('error', () => {
    if (!replyStalled()) client.destroy();
  });
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  const pipe = (from: Socket, to: Socket, shape: Shaper, isReply: boolean) => {
    let shaping = false;
    let ended = false;
    const later = delayLine(lineAction);
    const forward = (piece: Buffer) =>
      later(() => {
        if (!to.destroyed) to.write(piece);
      });
    // The FIN follows the last paced byte: ending at once would cut what the shaper still holds.
    const forwardEnd = () => {
      if (!(isReply && replyStalled())) later(() => to.end());
    };
    from.on('data', (chunk: Buffer) => {
      if (isReply && action?.kind === 'stallAfter') {
        const allowed = Math.max(0, action.bytes - replyBytes);
        replyBytes += chunk.length;
        if (allowed === 0) return;
        chunk = chunk.subarray(0, allowed);
      }
      shaping = true;
      from.pause();
      shape(chunk, forward, () => {
        shaping = false;
        if (ended) forwardEnd();
        else from.resume();
      });
    });
    from.on('end', () => {
      ended = true;
      if (!shaping) forwardEnd();
    });
  };
  pipe(client, upstream, shaper(lineAction), false);
  pipe(upstream, client, shaper(lineAction), true);
  if (firstChunk.length > 0) client.emit('data', firstChunk);
}

/** Hands a chunk on (`write`, possibly in pieces and later), then calls `done` for the next one. */
type Shaper = (chunk: Buffer, write: (piece: Buffer) => void, done: () => void) => void;

/**
 * Paces chunks for `police` (token bucket); other actions hand chunks on at once.
 * A policer meters packets, so chunks (up to 64 KiB from a socket read) are cut into MSS-sized pieces:
 * released whole, a 64 KiB chunk at 128 kbit/s would arrive in 4 s bursts, which the classifier
 * rightly reads as congestion (high goodput variance) rather than a flat cap.
 */
function shaper(action: ResolvedRule['action'] | null): Shaper {
  if (action?.kind === 'police') {
    const bucket = new TokenBucket(action.rateBps / 8, POLICER_BURST_BYTES);
    return (chunk, write, done) => {
      let offset = 0;
      const next = () => {
        while (offset < chunk.length) {
          const piece = chunk.subarray(offset, offset + POLICED_PIECE_BYTES);
          offset += piece.length;
          const wait = bucket.take(piece.length);
          if (wait > 0) {
            setTimeout(() => {
              write(piece);
              next();
            }, wait);
            return;
          }
          write(piece);
        }
        done();
      };
      next();
    };
  }
  return (chunk, write, done) => {
    write(chunk);
    done();
  };
}

/**
 * netem's delay is latency, not a rate: everything handed on (pieces, then the FIN) leaves `delayMs`
 * later while the next chunk is already read. Holding each chunk for the delay before reading the next
 * would turn 80 ms into 80 ms per 1,400-byte TLS record. Loss has no meaning inside a TCP stream.
 * Timers of one duration fire in the order they were set, so nothing is reordered.
 */
function delayLine(action: ResolvedRule['action'] | null): (send: () => void) => void {
  if (action?.kind === 'netem' && action.delayMs > 0) return (send) => void setTimeout(send, action.delayMs);
  return (send) => send();
}

/**
 * One region's censor without root: TCP and UDP relays on the region's loopback twins of every lab
 * endpoint, forwarding to the world's twins under the region's rules, plus its system resolver. A TCP
 * endpoint that every agent's flows are silently dropped to gets a SYN blackhole instead of a relay.
 */
export async function startUserSpaceCensor(options: UserSpaceCensorOptions): Promise<UserSpaceCensor> {
  const random = options.random ?? Math.random;
  const world = options.world ?? worldLoopbackPlacement;
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
  const onError = options.onError ?? (() => {});
  let rules = options.rules;
  const udpSockets: UdpSocket[] = [];
  const openSockets = new Set<Socket>();
  const resolverHost = regionLoopbackAddress(LAB_SYSTEM_RESOLVER_IP, options.region);
  let resolver: LyingResolver | null = null;
  const startResolver = async () => {
    resolver = await startLyingResolver({
      host: resolverHost,
      port: loopbackPort(53),
      // Logical (198.18) answers: agents record them and reach them through their ProbeNetwork rewrite.
      rules,
      zone: options.catalogue.dns_zone,
      agentIndexOf: (ip) => agentIndexOf(options.region, options.agents, ip),
    });
  };

  const startRelay = async (endpoint: LabEndpoint): Promise<Server> => {
    const server = createServer((client) => {
      openSockets.add(client);
      client.once('close', () => openSockets.delete(client));
      client.on('error', () => client.destroy());
      // Silent flows (drop, stall) hold their socket only until nobody could still be waiting on them.
      client.setTimeout(limits.tcpIdleMs, () => client.destroy());
      const flow: Flow = {
        labIp: endpoint.labIp,
        port: endpoint.port,
        proto: 'tcp',
        agentIndex: agentIndexOf(options.region, options.agents, client.remoteAddress),
      };
      const atOpen = ruleAtOpen(rules, flow, random);
      const lineAtOpen = ruleAtOpen(rules, flow, random, 'line');
      if (atOpen !== null && atOpen.action.kind !== 'blockpage' && !rules.some((rule) => rule.sni !== null)) {
        return relayTcp(client, flow, Buffer.alloc(0), atOpen, lineAtOpen, world);
      }
      // Peek the first client bytes: a ClientHello's SNI may bring an earlier rule into play.
      client.once('data', (first: Buffer) => {
        const serverName = clientHelloServerName(first);
        const after = (current: ResolvedRule | null, role: 'filter' | 'line') =>
          serverName === null
            ? current
            : ruleAfterClientHello(rules, flow, serverName, current, random, role);
        relayTcp(client, flow, first, after(atOpen, 'filter'), after(lineAtOpen, 'line'), world);
      });
    });
    server.maxConnections = limits.maxTcpConnections;
    server.on('error', (error) => onError(error, `tcp relay ${endpoint.labIp}:${endpoint.port}`));
    await listenOnFreedPort(server, listenerOf(endpoint, options.region));
    return server;
  };

  // Each TCP endpoint has a relay, or belongs to the blackhole while every agent's SYN to it is dropped.
  const tcpEndpoints = options.endpoints.filter((endpoint) => endpoint.proto === 'tcp');
  const relays = new Map<LabEndpoint, Server>();
  let blackhole: SynBlackhole | null = null;
  // null until the listeners are first placed.
  let blackholed: LabEndpoint[] | null = null;
  const placeTcpListeners = async () => {
    const next = tcpEndpoints.filter((endpoint) => {
      const rule = ruleForEveryAgent(rules, endpoint, options.agents);
      return rule !== null && SILENT_AT_OPEN.has(rule.action.kind);
    });
    const current = blackholed;
    if (current !== null && next.length === current.length && next.every((e) => current.includes(e))) return;
    await blackhole?.close();
    blackhole = null;
    for (const endpoint of tcpEndpoints) {
      const relay = relays.get(endpoint);
      if (next.includes(endpoint)) {
        // Stop listening only: flows it already relays keep the rule that decided them.
        relay?.close();
        relays.delete(endpoint);
      } else if (relay === undefined) {
        relays.set(endpoint, await startRelay(endpoint));
      }
    }
    blackholed = next;
    if (next.length > 0) blackhole = await startSynBlackhole(next.map((e) => listenerOf(e, options.region)));
  };

  await placeTcpListeners();
  for (const endpoint of options.endpoints) {
    if (endpoint.proto === 'udp') {
      const { host, port } = listenerOf(endpoint, options.region);
      udpSockets.push(
        await startUdpRelay(host, port, endpoint, { ...options, limits, onError }, () => rules, random),
      );
    }
  }
  await startResolver();

  return {
    systemResolver: `${resolverHost}:${loopbackPort(53)}`,
    async setRules(next) {
      rules = next;
      await placeTcpListeners();
      resolver?.setRules(next);
    },
    async close() {
      for (const socket of openSockets) socket.destroy();
      await blackhole?.close();
      await Promise.all(
        [...relays.values()].map((server) => new Promise((resolve) => server.close(resolve))),
      );
      await Promise.all(
        udpSockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
      );
      await resolver?.close();
    },
  };
}

function listenerOf(endpoint: LabEndpoint, region: number): Listener {
  return { host: regionLoopbackAddress(endpoint.labIp, region), port: loopbackPort(endpoint.port) };
}

/**
 * Relays datagrams per client (one upstream socket per client address:port, so replies find their way
 * back); drops, loses or delays them as the deciding rule says. Flows live in a bounded table with an
 * idle timeout: every DNS query comes from a new source port.
 */
async function startUdpRelay(
  host: string,
  port: number,
  endpoint: LabEndpoint,
  options: UserSpaceCensorOptions & { limits: RelayLimits; onError: (error: Error, where: string) => void },
  currentRules: () => readonly ResolvedRule[],
  random: () => number,
): Promise<UdpSocket> {
  const where = `udp relay ${endpoint.labIp}:${endpoint.port}`;
  const socket = createSocket('udp4');
  const upstreams = new FlowTable<UdpSocket>({
    maxFlows: options.limits.maxUdpFlows,
    idleMs: options.limits.udpIdleMs,
    release: (upstream) => {
      try {
        upstream.close();
      } catch {
        // already closed
      }
    },
  });
  const destination = (options.world ?? worldLoopbackPlacement)(endpoint.labIp, endpoint.port);
  const oneExchange = endpoint.port === DNS_PORT;
  socket.on('message', (message, remote) => {
    const flow: Flow = {
      labIp: endpoint.labIp,
      port: endpoint.port,
      proto: 'udp',
      agentIndex: agentIndexOf(options.region, options.agents, remote.address),
    };
    const rules = currentRules();
    const action = ruleAtOpen(rules, flow, random)?.action ?? null;
    const line = ruleAtOpen(rules, flow, random, 'line')?.action ?? null;
    // A reset has nothing to reset on UDP: the datagram is just gone.
    if (action !== null && (SILENT_AT_OPEN.has(action.kind) || action.kind === 'reset')) return;
    if (random() * 100 < lossPercentOf(rules, flow, null)) return;
    const key = `${remote.address}:${remote.port}`;
    const upstream = upstreams.use(key, () => {
      const created = createSocket('udp4');
      created.on('message', (reply) => {
        socket.send(reply, remote.port, remote.address);
        // A DNS query over UDP is one exchange from a port used once: its flow ends with the answer.
        // Kept for the idle timeout instead, the demo held ~1,000 such sockets at a time, rising and
        // falling with its rounds (the soak read the swings as growth).
        if (oneExchange) upstreams.delete(key, created);
        else upstreams.touch(key, created); // a reply keeps the flow alive too
      });
      // Out of descriptors or ports: this flow is lost, the relay and the process carry on.
      created.on('error', (error) => {
        options.onError(error, where);
        upstreams.delete(key, created);
      });
      return created;
    });
    const send = () => {
      try {
        upstream.send(message, destination.port, destination.host, (error) => {
          if (error) options.onError(error, where);
        });
      } catch {
        // The flow was closed while the datagram waited out its delay: it is lost, as on a wire.
      }
    };
    if (line?.kind === 'netem' && line.delayMs > 0) setTimeout(send, line.delayMs);
    else send();
  });
  socket.once('close', () => upstreams.clear());
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', (error) => options.onError(error, where));
      resolve();
    });
  });
  return socket;
}
