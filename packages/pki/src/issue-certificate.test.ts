import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.ts';
import { InvalidCertificateRequestError, issueCertificate } from './issue-certificate.ts';

describe('issueCertificate', () => {
  it('issues a leaf that chains to the lab CA and names every DNS name and IP', async () => {
    const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
    const leaf = await issueCertificate(ca, { names: ['web.lab.test', 'alt.lab.test'], ips: ['127.0.0.1'] });

    const caCert = new X509Certificate(ca.certificatePem);
    const leafCert = new X509Certificate(leaf.certificatePem);
    expect(caCert.ca).toBe(true);
    expect(leafCert.ca).toBe(false);
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.subject).toBe('CN=web.lab.test');
    expect(leafCert.subjectAltName).toBe('DNS:web.lab.test, DNS:alt.lab.test, IP Address:127.0.0.1');
    expect(leafCert.checkHost('alt.lab.test')).toBe('alt.lab.test');
    expect(leafCert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leafCert.validToDate.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('serves a TLS handshake that Node verifies against the CA alone', async () => {
    const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
    const leaf = await issueCertificate(ca, { names: ['web.lab.test'] });
    const server = tls.createServer({ cert: leaf.chainPem, key: leaf.privateKeyPem }, (socket) =>
      socket.end('hello'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const client = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'web.lab.test',
        ca: ca.certificatePem,
      });
      await once(client, 'secureConnect');
      expect(client.authorized).toBe(true);
      client.destroy();
    } finally {
      server.close();
    }
  });

  it('rejects a request without names or with a malformed IP', async () => {
    const ca = await createCertificateAuthority({ commonName: 'reachmap test CA' });
    await expect(issueCertificate(ca, { names: [] })).rejects.toBeInstanceOf(InvalidCertificateRequestError);
    await expect(issueCertificate(ca, { names: ['a.test'], ips: ['300.1.1.1'] })).rejects.toBeInstanceOf(
      InvalidCertificateRequestError,
    );
  });
});
