import type { CertificateSummary, DnsQuery, Failure, TcpConnect, TlsHandshake } from '@reachmap/schema';
import type { OoniTlsHandshake } from '../ooni-format.ts';
import { SNI_CONTROL_TAG } from '../sni-role-tag.ts';
import { summariseCertificate } from './certificate.ts';
import { parseEndpoint } from './endpoint.ts';
import { ooniFailure } from './failure.ts';
import { timingOf } from './timing.ts';

/** Certificate failures: OONI's handshake fails on them (unless `no_tls_verify`); we also record them as validation. */
const VALIDATION_FAILURES: ReadonlySet<string> = new Set([
  'ssl_invalid_hostname',
  'ssl_unknown_authority',
  'ssl_invalid_certificate',
]);

const MAX_CERTIFICATES = 10;

/**
 * Before probe-engine 3.10 handshakes carried only `server_name`. The address is then inferred from
 * the same measurement: the first successful connect on 443 to an address the SNI resolved to.
 */
function inferEndpoint(
  serverName: string | null,
  queries: readonly DnsQuery[],
  connects: readonly TcpConnect[],
): { ip: string; port: number } | null {
  if (serverName === null) return null;
  const resolved = new Set(
    queries
      .filter((query) => query.hostname === serverName)
      .flatMap((query) => query.answers.map((a) => a.value)),
  );
  const connect = connects.find((c) => c.failure === null && c.port === 443 && resolved.has(c.ip));
  return connect === undefined ? null : { ip: connect.ip, port: connect.port };
}

function validationOf(handshake: OoniTlsHandshake, failure: Failure | null): TlsHandshake['validation'] {
  if (failure !== null && VALIDATION_FAILURES.has(failure)) return { valid: false, failure };
  // With no_tls_verify the chain was not checked: we cannot call it valid.
  return { valid: failure === null && handshake.no_tls_verify !== true, failure: null };
}

export function mapTlsHandshake(
  handshake: OoniTlsHandshake,
  queries: readonly DnsQuery[],
  connects: readonly TcpConnect[],
): TlsHandshake | string {
  const sni = handshake.server_name || null;
  const endpoint =
    handshake.address === null || handshake.address === undefined
      ? inferEndpoint(sni, queries, connects)
      : parseEndpoint(handshake.address);
  if (endpoint === null) return 'no address, and none could be inferred from the DNS and TCP entries';
  const failure = ooniFailure(handshake.failure);
  const certificates: CertificateSummary[] = (handshake.peer_certificates ?? [])
    .slice(0, MAX_CERTIFICATES)
    .flatMap((certificate) => summariseCertificate(certificate.data) ?? []);
  return {
    ...endpoint,
    sni,
    sni_role: handshake.tags?.includes(SNI_CONTROL_TAG) ? 'control' : 'target',
    alpn_offered: [],
    alpn_negotiated: handshake.negotiated_protocol || null,
    tls_version: handshake.tls_version || null,
    cipher_suite: handshake.cipher_suite || null,
    peer_certificates: certificates,
    validation: validationOf(handshake, failure),
    failure,
    ...timingOf(handshake),
  };
}
