import { webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';

/**
 * ECDSA P-256 keys: small, fast to generate (tests create CAs on the fly) and accepted by every TLS
 * stack we talk to (Node, nginx, Caddy, quic-go).
 */
export const LAB_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A lab CA as PEM text, so it can be written to disk and loaded back by another process. */
export interface CertificateAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CertificateAuthorityOptions {
  commonName: string;
  /** Default 3650: a lab CA outlives any test run or lab session. */
  validDays?: number;
}

const DAY_MS = 86_400_000;

/** Positive 128-bit serial (RFC 5280 §4.1.2.2: positive, at most 20 octets, unique per issuer). */
export function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

export function validityWindow(validDays: number): { notBefore: Date; notAfter: Date } {
  // Back-date by an hour so a peer with a slightly slow clock still accepts a fresh certificate.
  const notBefore = new Date(Date.now() - 3_600_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + validDays * DAY_MS) };
}

export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

export async function createCertificateAuthority(
  options: CertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(LAB_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: [{ CN: [options.commonName] }],
      ...validityWindow(options.validDays ?? 3650),
      signingAlgorithm: LAB_KEY_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
