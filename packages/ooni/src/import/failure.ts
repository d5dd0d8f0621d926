import { type Failure, KnownFailure, UNKNOWN_FAILURE_PREFIX } from '@reachmap/schema';

const MAX_FAILURE_LENGTH = 500;

/**
 * OONI's failure strings are our taxonomy (df-007-errors), so known ones pass through unchanged.
 * Older or newer ones we do not list (MK's `response_never_received`, `http_unexpected_status_code`)
 * keep their text behind `unknown_failure: `, as OONI itself does for unclassified errors.
 */
export function ooniFailure(text: string | null | undefined): Failure | null {
  if (text === null || text === undefined || text === '') return null;
  if (KnownFailure.safeParse(text).success) return text as Failure;
  const raw = text.startsWith(UNKNOWN_FAILURE_PREFIX) ? text : `${UNKNOWN_FAILURE_PREFIX}${text}`;
  return raw.slice(0, MAX_FAILURE_LENGTH) as Failure;
}
