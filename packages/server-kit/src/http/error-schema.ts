import { ErrorBody } from '@reachmap/schema';

/** The OpenAPI response entries shared by every refusal (the standard error shape). */
export function errorResponses(statuses: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );
}
