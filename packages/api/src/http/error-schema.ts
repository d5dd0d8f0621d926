import { errorResponses } from '@reachmap/server-kit';

export { errorResponses };

/** Refusals any authenticated, rate-limited read can answer with. */
export const READ_ERRORS = errorResponses({
  400: 'Invalid parameters',
  401: 'Missing or unknown API key',
  429: 'Rate limit reached; see Retry-After',
});
