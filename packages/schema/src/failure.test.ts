import { describe, expect, it } from 'vitest';
import { mapNodeError } from './failure.ts';

function nodeError(code: string, message = code, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('mapNodeError', () => {
  it.each([
    [nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connection_refused'],
    [nodeError('ECONNRESET', 'read ECONNRESET', { syscall: 'read' }), 'connection_reset'],
    [
      nodeError(
        'ECONNRESET',
        'Client network socket disconnected before secure TLS connection was established',
      ),
      'eof_error',
    ],
    [nodeError('ETIMEDOUT', 'connect ETIMEDOUT'), 'generic_timeout_error'],
    [
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      'generic_timeout_error',
    ],
    [Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }), 'interrupted'],
    [nodeError('EHOSTUNREACH'), 'host_unreachable'],
    [nodeError('ENETUNREACH'), 'network_unreachable'],
    [nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND example.invalid'), 'dns_nxdomain_error'],
    [nodeError('ENODATA'), 'dns_no_answer'],
    [nodeError('ESERVFAIL'), 'dns_servfail_error'],
    [nodeError('EREFUSED'), 'dns_refused_error'],
    [nodeError('EAI_AGAIN'), 'dns_temporary_failure'],
    [nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), 'ssl_invalid_hostname'],
    [nodeError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'ssl_unknown_authority'],
    [nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'ssl_unknown_authority'],
    [nodeError('CERT_HAS_EXPIRED'), 'ssl_invalid_certificate'],
    [nodeError('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'ssl_failed_handshake'],
    [nodeError('ERR_SSL_SOMETHING_NEW'), 'ssl_failed_handshake'],
    [new Error('socket hang up'), 'eof_error'],
    [nodeError('ECONNRESET', 'socket hang up'), 'eof_error'],
    [
      Object.assign(new TypeError('fetch failed'), { cause: nodeError('ECONNREFUSED') }),
      'connection_refused',
    ],
  ])('maps %s to %s', (error, failure) => {
    expect(mapNodeError(error)).toBe(failure);
  });

  it('keeps the raw text of an unmapped error instead of dropping it', () => {
    expect(mapNodeError(nodeError('EWEIRD', 'something odd happened'))).toBe(
      'unknown_failure: EWEIRD something odd happened',
    );
    expect(mapNodeError('plain string')).toBe('unknown_failure: plain string');
  });
});
