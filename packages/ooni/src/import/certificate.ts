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

/**
 * Parsed summaries by certificate: an archive repeats the same few hundred certificates (the same
 * sites, the same CDNs) across many thousands of measurements, and parsing X.509 is the importer's
 * costliest step. Bounded: cleared when full.
 */
const summaries = new Map<string, CertificateSummary | null>();
const MAX_CACHED = 5_000;

/** Summarises one DER certificate as OONI stores it (base64); null when it does not parse. */
export function summariseCertificate(base64Der: string): CertificateSummary | null {
  const cached = summaries.get(base64Der);
  if (cached !== undefined) return cached;
  if (summaries.size >= MAX_CACHED) summaries.clear();
  const summary = parseCertificate(base64Der);
  summaries.set(base64Der, summary);
  return summary;
}

function parseCertificate(base64Der: string): CertificateSummary | null {
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
