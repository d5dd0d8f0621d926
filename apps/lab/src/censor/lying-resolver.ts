import { createSocket, type Socket } from 'node:dgram';
import type { ZoneRecord } from '@reachmap/targets';
import dnsPacket from 'dns-packet';
import { answerForName } from './dns-decision.ts';
import type { ResolvedRule } from './resolve-rules.ts';

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export interface LyingResolverOptions {
  host: string;
  port: number;
  rules: readonly ResolvedRule[];
  zone: readonly ZoneRecord[];
  /** Which agent a query's source address belongs to (for rules limited to some agents). */
  agentIndexOf: (sourceIp: string) => number | null;
}

export interface LyingResolver {
  port: number;
  /** Answers later queries under these rules: a phase changes the censor without a new socket. */
  setRules(rules: readonly ResolvedRule[]): void;
  close(): Promise<void>;
}

/** Encodes the region resolver's answer to one query; null for a message that is not a question. */
export function replyToQuery(query: Buffer, sourceIp: string, options: LyingResolverOptions): Buffer | null {
  let packet: dnsPacket.Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return null;
  }
  const question = packet.questions?.[0];
  if (question === undefined) return null;
  const answer = answerForName(question.name, options.agentIndexOf(sourceIp), options.rules, options.zone);
  const answers: dnsPacket.Answer[] =
    answer.rcode === 'NOERROR' && question.type === 'A'
      ? answer.addresses.map((data) => ({ type: 'A', name: question.name, ttl: 60, data }))
      : [];
  return dnsPacket.encode({
    type: 'response',
    id: packet.id ?? 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODES[answer.rcode],
    questions: [question],
    answers,
  });
}

/** A UDP DNS server answering as the region's ISP resolver: the lab zone, bent by the DNS rules. */
export async function startLyingResolver(options: LyingResolverOptions): Promise<LyingResolver> {
  let current = options;
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const reply = replyToQuery(message, remote.address, current);
    if (reply !== null) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    setRules: (rules) => {
      current = { ...current, rules };
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
