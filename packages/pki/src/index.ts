export {
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  createCertificateAuthority,
} from './certificate-authority.ts';
export {
  InvalidCertificateRequestError,
  type IssueCertificateOptions,
  type IssuedCertificate,
  issueCertificate,
} from './issue-certificate.ts';
