import { issuesOf } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import type { ZodError } from 'zod';

/**
 * zod-openapi's validation hook: bad input becomes one 400 with a JSON pointer per problem, prefixed
 * by where it was (`/query/level`, `/json/url`, `/param/id`).
 */
export function validationHook(result: { target: string; success: boolean; error?: ZodError }): void {
  if (result.success || result.error === undefined) return;
  throw new HttpError(400, 'invalid_request', `the request ${result.target} is not valid`, {
    details: issuesOf(result.error, `/${result.target}`),
  });
}
