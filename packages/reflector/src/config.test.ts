import { describe, expect, it } from 'vitest';
import { parseReflectorConfig } from './config.ts';

describe('parseReflectorConfig', () => {
  it('starts with sane defaults from an empty environment', () => {
    const parsed = parseReflectorConfig({});
    expect(parsed.ok && parsed.config).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      quicPort: 8443,
      tls: { kind: 'generate', names: ['reflector.reachmap.lab'] },
      limits: { maxConnectionsPerClient: 16, maxRequestBytes: 64 * 1024 * 1024 },
    });
  });

  it.each([
    [{ REFLECTOR_PORT: 'https' }, 'REFLECTOR_PORT'],
    [{ REFLECTOR_PORT: '70000' }, 'REFLECTOR_PORT'],
    [{ REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND: '-5' }, 'REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND'],
    [{ REFLECTOR_HOST: 'everywhere' }, 'REFLECTOR_HOST'],
    [{ REFLECTOR_TLS_NAMES: 'ok.lab,not a name' }, 'REFLECTOR_TLS_NAMES'],
    [{ REFLECTOR_TLS_CERT_FILE: '/etc/reflector/cert.pem' }, 'REFLECTOR_TLS_KEY_FILE'],
  ])('names the bad variable in %o', (env, variable) => {
    const parsed = parseReflectorConfig(env);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.variable).toBe(variable);
  });

  it('uses configured certificate files and a separate QUIC port', () => {
    const parsed = parseReflectorConfig({
      REFLECTOR_TLS_CERT_FILE: '/c.pem',
      REFLECTOR_TLS_KEY_FILE: '/k.pem',
      REFLECTOR_QUIC_PORT: '9443',
    });
    expect(parsed.ok && parsed.config.tls).toEqual({ kind: 'files', certFile: '/c.pem', keyFile: '/k.pem' });
    expect(parsed.ok && parsed.config.quicPort).toBe(9443);
  });
});
