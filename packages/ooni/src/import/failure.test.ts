import { describe, expect, it } from 'vitest';
import { ooniFailure } from './failure.ts';

describe('ooniFailure', () => {
  it.each([
    ['dns_name_error', 'dns_nxdomain_error'],
    ['connection_refused_error', 'connection_refused'],
    ['tcp_timed_out_error', 'generic_timeout_error'],
    ['http_invalid_redirect_url', 'http_invalid_redirect'],
    [
      'ssl_error: error:14007086:SSL routines:CONNECT_CR_CERT:certificate verify failed',
      'ssl_invalid_certificate',
    ],
    ['connection_reset', 'connection_reset'],
    ['response_never_received', 'unknown_failure: response_never_received'],
  ])('maps legacy %s to %s', (legacy, mapped) => {
    expect(ooniFailure(legacy)).toBe(mapped);
  });
});
