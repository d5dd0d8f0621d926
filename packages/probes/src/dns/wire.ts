import { randomInt } from 'node:crypto';
import { isBogonAddress } from '@reachmap/ip-ranges';
import type { DnsQuery, Failure } from '@reachmap/schema';
import dnsPacket from 'dns-packet';

type DnsAnswer = DnsQuery['answers'][number];
export type DnsRecordType = DnsQuery['query_type'];

/** What one DNS question asks. */
export interface DnsQuestion {
  hostname: string;
  type: DnsRecordType;
}

/** The recordable outcome of a DNS response, shared by every wire resolver (UDP, TCP, DoH). */
export interface DnsOutcome {
  rcode: string | null;
  answers: DnsAnswer[];
  failure: Failure | null;
}

/** RFC 1035 §4.1.1 and RFC 6895 §2.3 response codes. */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

function rcodeName(flags: number): string {
  const code = flags & 0xf;
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

/** OONI's mapping of response codes to failures (netxlite's DNS decoder). */
function failureForRcode(rcode: string): Failure | null {
  switch (rcode) {
    case 'NOERROR':
      return null;
    case 'NXDOMAIN':
      return 'dns_nxdomain_error';
    case 'SERVFAIL':
      return 'dns_servfail_error';
    case 'REFUSED':
      return 'dns_refused_error';
    default:
      return 'dns_server_misbehaving';
  }
}

export function randomQueryId(): number {
  return randomInt(1, 65_536);
}

export function encodeDnsQuery(question: DnsQuestion, id: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: question.type, name: question.hostname, class: 'IN' }],
  });
}

/** The query id of a raw message, or null when it is too short to carry one. */
export function messageId(message: Buffer): number | null {
  return message.length >= 2 ? message.readUInt16BE(0) : null;
}

function toDnsAnswers(answers: dnsPacket.Answer[]): DnsAnswer[] {
  const recorded: DnsAnswer[] = [];
  for (const answer of answers) {
    if (answer.type !== 'A' && answer.type !== 'AAAA' && answer.type !== 'CNAME') continue;
    recorded.push({ type: answer.type, value: String(answer.data).slice(0, 255), ttl: answer.ttl ?? null });
  }
  return recorded.slice(0, 100);
}

/**
 * Failure for a successful (NOERROR) lookup: none when an answer of the asked type came back, else
 * `dns_no_answer`; `dns_bogon_error` when any address is a bogon, as OONI's netxlite does, so that a
 * resolver poisoning a name to 127.0.0.1 shows up as a failure (the answers are still recorded).
 */
export function failureForAnswers(answers: DnsAnswer[], type: DnsRecordType): Failure | null {
  if (!answers.some((answer) => answer.type === type)) return 'dns_no_answer';
  const addresses = answers.filter((answer) => answer.type === 'A' || answer.type === 'AAAA');
  return addresses.some((answer) => isBogonAddress(answer.value)) ? 'dns_bogon_error' : null;
}

/** Decodes a response to our query; a malformed or mismatched message is `dns_server_misbehaving`. */
export function interpretDnsResponse(message: Buffer, question: DnsQuestion, id: number): DnsOutcome {
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(message);
  } catch {
    return { rcode: null, answers: [], failure: 'dns_server_misbehaving' };
  }
  if (packet.id !== id || packet.type !== 'response') {
    return { rcode: null, answers: [], failure: 'dns_server_misbehaving' };
  }
  const rcode = rcodeName(packet.flags ?? 0);
  const answers = toDnsAnswers(packet.answers ?? []);
  const rcodeFailure = failureForRcode(rcode);
  return { rcode, answers, failure: rcodeFailure ?? failureForAnswers(answers, question.type) };
}
