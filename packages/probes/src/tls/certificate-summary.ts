import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';
import type { CertificateSummary } from '@reachmap/schema';

/** The schema caps a recorded chain at 10 certificates. */
const MAX_CHAIN_LENGTH = 10;

function sansOf(certificate: X509Certificate): string[] {
  // Node renders SANs as "DNS:a.example, IP Address:192.0.2.1"; keep the values only.
  const rendered = certificate.subjectAltName;
  if (rendered === undefined) return [];
  return rendered
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, '').slice(0, 255))
    .slice(0, 200);
}

export function summarizeCertificate(der: Buffer): CertificateSummary {
  const certificate = new X509Certificate(der);
  return {
    subject: certificate.subject.split('\n').join(', ').slice(0, 1000),
    issuer: certificate.issuer.split('\n').join(', ').slice(0, 1000),
    sans: sansOf(certificate),
    not_before: certificate.validFromDate.toISOString(),
    not_after: certificate.validToDate.toISOString(),
    sha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

/** The peer's chain, leaf first, as OpenSSL assembled it; stops at a self-issued root. */
export function summarizePeerChain(leaf: DetailedPeerCertificate): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current?.raw !== undefined && chain.length < MAX_CHAIN_LENGTH) {
    chain.push(summarizeCertificate(current.raw));
    const issuer: DetailedPeerCertificate | undefined = current.issuerCertificate;
    current = issuer === current ? undefined : issuer;
  }
  return chain;
}
