import { ErrorBody } from '@reachmap/schema';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-response.ts';
import { HttpError } from './http-error.ts';

function appThrowing(error: HttpError, withRequestId = true): Hono {
  const app = new Hono();
  if (withRequestId) app.use(requestId({ generator: () => 'req_test' }));
  app.get('/', () => {
    throw error;
  });
  app.onError((thrown, c) => errorResponse(c, thrown as HttpError));
  return app;
}

describe('errorResponse', () => {
  it('renders the status and the one error body with details and the request id', async () => {
    const response = await appThrowing(
      new HttpError(422, 'invalid_batch', 'the body does not match', { details: { field: 'x' } }),
    ).request('/');
    expect(response.status).toBe(422);
    expect(response.headers.get('retry-after')).toBeNull();
    const body = ErrorBody.parse(await response.json());
    expect(body).toEqual({
      error: {
        code: 'invalid_batch',
        message: 'the body does not match',
        details: { field: 'x' },
        requestId: 'req_test',
      },
    });
  });

  it('leaves details out when there are none and names an unknown request', async () => {
    const response = await appThrowing(new HttpError(404, 'not_found', 'no route'), false).request('/');
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no route', requestId: 'unknown' },
    });
  });

  it('rounds Retry-After up to whole seconds and never below one', async () => {
    const soon = await appThrowing(new HttpError(429, 'rate_limited', 'wait', { retryAfterS: 0.2 })).request(
      '/',
    );
    expect(soon.headers.get('retry-after')).toBe('1');
    const later = await appThrowing(new HttpError(503, 'busy', 'wait', { retryAfterS: 9.1 })).request('/');
    expect(later.headers.get('retry-after')).toBe('10');
  });
});
