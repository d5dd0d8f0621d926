import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@reachmap/config';
import { describe, expect, it } from 'vitest';
import { loadReflectorConfig } from './config.ts';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadReflectorConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.variable).sort();
    throw error;
  }
  return [];
}

describe('loadReflectorConfig', () => {
  it('starts with sane defaults from an empty environment', () => {
    expect(loadReflectorConfig({ env: {} })).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      quicPort: 8443,
      tls: { kind: 'generate', names: ['reflector.reachmap.lab'] },
      limits: { maxConnectionsPerClient: 16, maxRequestBytes: 64 * 1024 * 1024 },
      logLevel: 'info',
    });
  });

  it.each([
    [{ REFLECTOR_PORT: 'https' }, 'REFLECTOR_PORT'],
    [{ REFLECTOR_PORT: '70000' }, 'REFLECTOR_PORT'],
    [{ REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND: '-5' }, 'REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND'],
    [{ REFLECTOR_HOST: 'everywhere' }, 'REFLECTOR_HOST'],
    [{ REFLECTOR_TLS_NAMES: 'ok.lab,not a name' }, 'REFLECTOR_TLS_NAMES'],
    [{ REFLECTOR_TLS_CERT_FILE: '/etc/reflector/cert.pem' }, 'REFLECTOR_TLS_KEY_FILE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('names the bad variable in %o', (env, variable) => {
    expect(problems(env)).toEqual([variable]);
  });

  it('reports every bad variable at once, not only the first', () => {
    expect(problems({ REFLECTOR_PORT: 'https', REFLECTOR_HOST: 'everywhere', LOG_LEVEL: 'loud' })).toEqual([
      'LOG_LEVEL',
      'REFLECTOR_HOST',
      'REFLECTOR_PORT',
    ]);
  });

  it('uses configured certificate files, made absolute, and a separate QUIC port', () => {
    const config = loadReflectorConfig({
      env: {
        REFLECTOR_TLS_CERT_FILE: 'c.pem',
        REFLECTOR_TLS_KEY_FILE: '/k.pem',
        REFLECTOR_QUIC_PORT: '9443',
      },
    });
    expect(config.tls).toEqual({ kind: 'files', certFile: resolve('c.pem'), keyFile: '/k.pem' });
    expect(config.quicPort).toBe(9443);
  });

  it('reads $REACHMAP_CONFIG like every other process, the environment winning over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflector-config-'));
    const file = join(dir, 'reachmap.json');
    writeFileSync(
      file,
      JSON.stringify({
        REFLECTOR_PORT: 9000,
        LOG_LEVEL: 'debug',
        REFLECTOR_TLS_CERT_FILE: 'c.pem',
        REFLECTOR_TLS_KEY_FILE: 'k.pem',
      }),
    );
    const config = loadReflectorConfig({ env: { REACHMAP_CONFIG: file, REFLECTOR_PORT: '9001' } });
    rmSync(dir, { recursive: true, force: true });
    expect(config.port).toBe(9001);
    expect(config.logLevel).toBe('debug');
    // Relative paths in the file are next to the file, whatever directory the reflector starts in.
    expect(config.tls).toEqual({ kind: 'files', certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
  });
});
