import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import type { ReflectorConfig } from './config.ts';

export interface TlsCredentials {
  /** PEM chain, leaf first. */
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the leaf, logged so operators can pin it. */
  fingerprint: string;
}

export class TlsCredentialsError extends Error {
  override readonly name = 'TlsCredentialsError';
}

/**
 * The one certificate served for every SNI. Agents record certificate validity but never require it
 * (the Censored Planet comparison sends names the reflector cannot hold), so a certificate from a
 * throwaway CA made at start is as good as a public one for measuring.
 */
export async function tlsCredentialsFor(tls: ReflectorConfig['tls']): Promise<TlsCredentials> {
  if (tls.kind === 'files') {
    const [cert, key] = await Promise.all([readPem(tls.certFile), readPem(tls.keyFile)]);
    return { cert, key, fingerprint: fingerprintOf(cert, tls.certFile) };
  }
  if (tls.kind === 'pem') {
    return {
      cert: tls.chainPem,
      key: tls.privateKeyPem,
      fingerprint: fingerprintOf(tls.chainPem, 'the given PEM'),
    };
  }
  const ca = await createCertificateAuthority({ commonName: 'reachmap reflector CA', validDays: 365 });
  const issued = await issueCertificate(ca, { names: tls.names, validDays: 365 });
  return {
    cert: issued.chainPem,
    key: issued.privateKeyPem,
    fingerprint: fingerprintOf(issued.certificatePem, 'generated'),
  };
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new TlsCredentialsError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function fingerprintOf(pem: string, source: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch (error) {
    throw new TlsCredentialsError(`${source} holds no usable PEM certificate: ${(error as Error).message}`);
  }
}
