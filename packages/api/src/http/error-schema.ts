import { ErrorBody } from '@reachmap/schema';

/** The OpenAPI response entries shared by every refusal. */
export function errorResponses(statuses: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );
}

/** Refusals any authenticated, rate-limited read can answer with. */
export const READ_ERRORS = errorResponses({
  400: 'Invalid parameters',
  401: 'Missing or unknown API key',
  429: 'Rate limit reached; see Retry-After',
});
