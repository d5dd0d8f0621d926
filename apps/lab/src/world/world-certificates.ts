import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueCertificate,
} from '@reachmap/pki';
import { type Catalogue, catalogueAddresses } from '@reachmap/targets';

/** The lab CA (trusted by lab agents through `--ca-file`) and the one certificate every world server presents. */
export interface WorldCertificates {
  caPem: string;
  server: IssuedCertificate;
}

/** Harmless SNI the catalogue uses as the "control" name against a target's address. */
const CONTROL_NAMES = ['example.com.lab'];

/**
 * One leaf for every lab hostname and address: a server answering any SNI with it is valid for all of
 * them, as the real sites would be for their own names; the DoH resolvers need their IPs as SANs.
 */
export async function issueWorldCertificates(catalogue: Catalogue): Promise<WorldCertificates> {
  const ca: CertificateAuthority = await createCertificateAuthority({ commonName: 'reachmap lab CA' });
  const addresses = catalogueAddresses(catalogue);
  const names = [
    ...new Set([
      ...catalogue.dns_zone.map((record) => record.hostname),
      ...addresses.filter((address) => address.kind === 'hostname').map((address) => address.value),
      ...CONTROL_NAMES,
    ]),
  ];
  const ips = [...new Set(addresses.filter((address) => address.kind === 'ip').map((a) => a.value))];
  const server = await issueCertificate(ca, { names, ips, validDays: 7 });
  return { caPem: ca.certificatePem, server };
}
