import type { ErrorBody } from '@reachmap/schema';
import type { Context } from 'hono';
import type { HttpError } from './http-error.ts';

export function errorBody(error: HttpError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      requestId,
    },
  };
}

/** Renders an HttpError as the one error shape, with Retry-After when the client should come back. */
export function errorResponse(c: Context, error: HttpError): Response {
  if (error.retryAfterS !== undefined)
    c.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterS))));
  return c.json(errorBody(error, c.get('requestId') ?? 'unknown'), error.status);
}
