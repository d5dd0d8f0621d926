import { type Failure, KnownFailure, UNKNOWN_FAILURE_PREFIX } from '@reachmap/schema';

const MAX_FAILURE_LENGTH = 500;

/**
 * Failure strings of older probes and test helpers (ooniprobe-legacy on Twisted, Measurement Kit) for
 * which today's taxonomy (df-007-errors) has a name. Without this a legacy NXDOMAIN is an unknown
 * failure, and the DNS comparison has nothing to compare.
 */
const LEGACY_FAILURES: ReadonlyMap<string, KnownFailure> = new Map(
  Object.entries({
    dns_name_error: 'dns_nxdomain_error', // Twisted's DNSNameError: the name does not exist
    connection_refused_error: 'connection_refused',
    connection_reset_error: 'connection_reset',
    tcp_timed_out_error: 'generic_timeout_error',
    deferred_timeout_error: 'generic_timeout_error',
    http_invalid_redirect_url: 'http_invalid_redirect',
  }),
);

/** OpenSSL's text in legacy `ssl_error: …` failures: a certificate the probe did not trust. */
const LEGACY_CERT_FAILURE = /^ssl_error:.*certificate verify failed/;

/**
 * OONI's failure strings are our taxonomy (df-007-errors), so known ones pass through unchanged.
 * Older or newer ones we do not list (MK's `response_never_received`, `http_unexpected_status_code`)
 * keep their text behind `unknown_failure: `, as OONI itself does for unclassified errors.
 */
export function ooniFailure(text: string | null | undefined): Failure | null {
  if (text === null || text === undefined || text === '') return null;
  if (KnownFailure.safeParse(text).success) return text as Failure;
  const legacy = LEGACY_FAILURES.get(text);
  if (legacy !== undefined) return legacy;
  if (LEGACY_CERT_FAILURE.test(text)) return 'ssl_invalid_certificate';
  const raw = text.startsWith(UNKNOWN_FAILURE_PREFIX) ? text : `${UNKNOWN_FAILURE_PREFIX}${text}`;
  return raw.slice(0, MAX_FAILURE_LENGTH) as Failure;
}
