/** DNS response codes by number (RFC 1035 §4.1.1, RFC 6895); OONI records the number, we the name. */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

export function rcodeName(code: number): string | null {
  return RCODE_NAMES[code] ?? null;
}

export function rcodeNumber(name: string): number | null {
  const index = (RCODE_NAMES as readonly string[]).indexOf(name);
  return index === -1 ? null : index;
}
