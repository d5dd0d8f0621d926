import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type CertificateAuthority,
  exportPrivateKeyPem,
  LAB_KEY_ALGORITHM,
  randomSerialNumber,
  validityWindow,
} from './certificate-authority.ts';
import { x509 } from './x509.ts';

export interface IssueCertificateOptions {
  /** DNS names; the first one is also the subject common name. */
  names: string[];
  ips?: string[];
  /** Default 30 days. */
  validDays?: number;
}

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** The leaf followed by the issuing CA, ready for a server's `cert` option. */
  chainPem: string;
}

export class InvalidCertificateRequestError extends Error {
  override readonly name = 'InvalidCertificateRequestError';
}

async function importCaSigningKey(ca: CertificateAuthority): Promise<webcrypto.CryptoKey> {
  const pkcs8 = x509.PemConverter.decodeFirst(ca.privateKeyPem);
  return webcrypto.subtle.importKey('pkcs8', pkcs8, LAB_KEY_ALGORITHM, false, ['sign']);
}

/** Issues a server certificate (serverAuth, SANs for every name and IP) signed by the lab CA. */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  const ips = options.ips ?? [];
  const [commonName] = options.names;
  if (commonName === undefined) throw new InvalidCertificateRequestError('at least one DNS name is required');
  const badIp = ips.find((ip) => isIP(ip) === 0);
  if (badIp !== undefined) throw new InvalidCertificateRequestError(`not an IP address: ${badIp}`);

  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const keys = (await webcrypto.subtle.generateKey(LAB_KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: [{ CN: [commonName] }],
      issuer: caCertificate.subjectName,
      ...validityWindow(options.validDays ?? 30),
      signingAlgorithm: LAB_KEY_ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: await importCaSigningKey(ca),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...options.names.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate, false, webcrypto),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const certificatePem = certificate.toString('pem');
  return {
    certificatePem,
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
    chainPem: `${certificatePem}\n${ca.certificatePem}\n`,
  };
}
