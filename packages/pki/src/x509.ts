// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata API
// loaded before the library itself (see the @peculiar/x509 README). Import x509 from here only.
import 'reflect-metadata';

export * as x509 from '@peculiar/x509';
