import type { ServerResponse } from 'node:http';

export function respondJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** 429 with Retry-After (RFC 9110 §10.2.3) so a well-behaved agent backs off until its window resets. */
export function respondOverByteCap(response: ServerResponse, retryAfterSeconds: number): void {
  respondJson(
    response,
    429,
    { error: 'byte_cap_exceeded', retry_after_s: retryAfterSeconds },
    { 'retry-after': String(retryAfterSeconds), connection: 'close' },
  );
}
