import { z } from 'zod';

/**
 * Failure strings from OONI's error taxonomy (df-007-errors, netxlite's classifier), so our
 * measurements read like OONI's and its tools understand them. An error we cannot classify keeps its
 * raw text behind `unknown_failure: ` rather than being dropped.
 */
export const KNOWN_FAILURES = [
  'connection_refused',
  'connection_reset',
  'connection_aborted',
  'connection_already_closed',
  'generic_timeout_error',
  'host_unreachable',
  'network_unreachable',
  'network_down',
  'eof_error',
  'interrupted',
  'dns_nxdomain_error',
  'dns_no_answer',
  'dns_servfail_error',
  'dns_refused_error',
  'dns_server_misbehaving',
  'dns_temporary_failure',
  'dns_non_recoverable_failure',
  'dns_bogon_error',
  'ssl_invalid_hostname',
  'ssl_unknown_authority',
  'ssl_invalid_certificate',
  'ssl_failed_handshake',
  'http_invalid_redirect',
  'http_request_failed',
  'quic_incompatible_version',
] as const;

export const KnownFailure = z.enum(KNOWN_FAILURES);
export type KnownFailure = z.infer<typeof KnownFailure>;

export const UNKNOWN_FAILURE_PREFIX = 'unknown_failure: ';

export const Failure = z.union([KnownFailure, z.string().startsWith(UNKNOWN_FAILURE_PREFIX).max(500)]);
export type Failure = z.infer<typeof Failure>;

const BY_CODE: ReadonlyMap<string, KnownFailure> = new Map(
  Object.entries({
    ECONNREFUSED: 'connection_refused',
    ECONNABORTED: 'connection_aborted',
    ERR_SOCKET_CLOSED: 'connection_already_closed',
    ETIMEDOUT: 'generic_timeout_error',
    ETIMEOUT: 'generic_timeout_error', // c-ares, dns.Resolver
    ESOCKETTIMEDOUT: 'generic_timeout_error',
    UND_ERR_CONNECT_TIMEOUT: 'generic_timeout_error',
    UND_ERR_HEADERS_TIMEOUT: 'generic_timeout_error',
    UND_ERR_BODY_TIMEOUT: 'generic_timeout_error',
    EHOSTUNREACH: 'host_unreachable',
    EHOSTDOWN: 'host_unreachable',
    ENETUNREACH: 'network_unreachable',
    ENETDOWN: 'network_down',
    ENOTFOUND: 'dns_nxdomain_error',
    EAI_NONAME: 'dns_nxdomain_error',
    NXDOMAIN: 'dns_nxdomain_error',
    ENODATA: 'dns_no_answer',
    EAI_NODATA: 'dns_no_answer',
    ESERVFAIL: 'dns_servfail_error',
    SERVFAIL: 'dns_servfail_error',
    EREFUSED: 'dns_refused_error',
    EBADRESP: 'dns_server_misbehaving',
    EFORMERR: 'dns_server_misbehaving',
    EBADFAMILY: 'dns_server_misbehaving',
    EAI_AGAIN: 'dns_temporary_failure',
    EAI_FAIL: 'dns_non_recoverable_failure',
    ERR_TLS_CERT_ALTNAME_INVALID: 'ssl_invalid_hostname',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'ssl_unknown_authority',
    UNABLE_TO_GET_ISSUER_CERT: 'ssl_unknown_authority',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'ssl_unknown_authority',
    SELF_SIGNED_CERT_IN_CHAIN: 'ssl_unknown_authority',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'ssl_unknown_authority',
    CERT_UNTRUSTED: 'ssl_unknown_authority',
    CERT_HAS_EXPIRED: 'ssl_invalid_certificate',
    CERT_NOT_YET_VALID: 'ssl_invalid_certificate',
    CERT_REVOKED: 'ssl_invalid_certificate',
    CERT_SIGNATURE_FAILURE: 'ssl_invalid_certificate',
    EPROTO: 'ssl_failed_handshake',
    ERR_SSL_WRONG_VERSION_NUMBER: 'ssl_failed_handshake',
    ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'ssl_failed_handshake',
    ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'ssl_failed_handshake',
    ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'ssl_failed_handshake',
    ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'ssl_failed_handshake',
    ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'ssl_failed_handshake',
  }),
);

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  syscall?: unknown;
  cause?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
}

/**
 * Maps an error thrown by Node's net, tls, dns, http or fetch to OONI's failure taxonomy.
 * The single place where Node error codes become failure strings.
 */
export function mapNodeError(error: unknown): Failure {
  const err = asErrorLike(error);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';

  if (err.name === 'TimeoutError') return 'generic_timeout_error';
  if (err.name === 'AbortError' || code === 'ABORT_ERR') {
    // AbortSignal.timeout() aborts with a TimeoutError reason; anything else is a caller's cancel.
    return asErrorLike(err.cause).name === 'TimeoutError' ? 'generic_timeout_error' : 'interrupted';
  }
  if (code === 'ECONNRESET') {
    // Node reports a FIN before the TLS handshake completed, and an HTTP client's FIN before any
    // response ("socket hang up"), as ECONNRESET too; OONI calls both eof_error.
    return /disconnected before secure TLS connection|socket hang up/i.test(message)
      ? 'eof_error'
      : 'connection_reset';
  }
  if (code === 'UND_ERR_SOCKET' || /socket hang up|unexpected end of file|other side closed/i.test(message)) {
    return 'eof_error';
  }
  if (code !== undefined) {
    const known = BY_CODE.get(code);
    if (known) return known;
    if (code.startsWith('ERR_SSL_')) return 'ssl_failed_handshake';
  }
  if (err.cause !== undefined && err.cause !== error) {
    // fetch() wraps the socket error: `TypeError: fetch failed` with the real one as `cause`.
    const inner = mapNodeError(err.cause);
    if (!inner.startsWith(UNKNOWN_FAILURE_PREFIX)) return inner;
  }
  const raw = [code, message].filter((part) => part !== undefined && part !== '').join(' ');
  return `${UNKNOWN_FAILURE_PREFIX}${raw === '' ? 'unknown error' : raw}`.slice(0, 500) as Failure;
}
