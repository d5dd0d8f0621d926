import { X509Certificate } from 'node:crypto';
import type { CertificateSummary } from '@reachmap/schema';

function oneLine(distinguishedName: string): string {
  return distinguishedName.split('\n').filter(Boolean).join(', ').slice(0, 1000);
}

function dnsNames(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).slice(0, 255))
    .slice(0, 200);
}

/** Summarises one DER certificate as OONI stores it (base64); null when it does not parse. */
export function summariseCertificate(base64Der: string): CertificateSummary | null {
  try {
    const certificate = new X509Certificate(Buffer.from(base64Der, 'base64'));
    return {
      subject: oneLine(certificate.subject),
      issuer: oneLine(certificate.issuer),
      sans: dnsNames(certificate.subjectAltName),
      not_before: new Date(certificate.validFrom).toISOString(),
      not_after: new Date(certificate.validTo).toISOString(),
      sha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    };
  } catch {
    // A truncated or non-DER blob: OONI kept what the wire carried; we keep the handshake without it.
    return null;
  }
}
