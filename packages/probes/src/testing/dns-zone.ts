import dnsPacket from 'dns-packet';

/** How the lab resolver answers one name. Names missing from the zone get NXDOMAIN. */
export interface LabDnsRecord {
  rcode?: 'NOERROR' | 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED';
  a?: string[];
  aaaa?: string[];
  cname?: string;
  /** Never answer: the resolver-side view of a dropped query. */
  silent?: boolean;
}

export type LabDnsZone = Readonly<Record<string, LabDnsRecord>>;

const RCODE_VALUES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** Builds the reply to one query message, or null when the zone says to stay silent. */
export function answerDnsQuery(query: Buffer, zone: LabDnsZone): Buffer | null {
  const packet = dnsPacket.decode(query);
  const question = packet.questions?.[0];
  if (question === undefined) return null;
  const record = zone[question.name.toLowerCase()] ?? { rcode: 'NXDOMAIN' };
  if (record.silent) return null;
  const answers: dnsPacket.Answer[] = [];
  const owner = record.cname ?? question.name;
  if (record.cname !== undefined)
    answers.push({ type: 'CNAME', name: question.name, ttl: 60, data: record.cname });
  if (question.type === 'A') {
    for (const data of record.a ?? []) answers.push({ type: 'A', name: owner, ttl: 60, data });
  }
  if (question.type === 'AAAA') {
    for (const data of record.aaaa ?? []) answers.push({ type: 'AAAA', name: owner, ttl: 60, data });
  }
  return dnsPacket.encode({
    type: 'response',
    id: packet.id ?? 0,
    flags:
      dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODE_VALUES[record.rcode ?? 'NOERROR'],
    questions: [question],
    answers,
  });
}
