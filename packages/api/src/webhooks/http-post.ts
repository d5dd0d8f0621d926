import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedDestination } from './destination-vetting.ts';

export interface PostResult {
  /** Null when no response arrived (connection refused, timeout, TLS failure). */
  status: number | null;
  retryAfter: string | null;
  error: string | null;
  durationMs: number;
}

/** Answers every lookup with the vetted address, so the socket goes where the guard looked, never elsewhere. */
function pinnedLookup(destination: VettedDestination): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all === true) {
      (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [
        { address: destination.address, family: destination.family },
      ]);
    } else {
      callback(null, destination.address, destination.family);
    }
  };
}

/**
 * POSTs `body` to the vetted destination. Redirects are not followed: a 3xx counts as a failure, since
 * following it would reach an address nobody vetted. The response body is drained and discarded.
 */
export function postToDestination(
  destination: VettedDestination,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const started = performance.now();
  const { url } = destination;
  const options: RequestOptions = {
    method: 'POST',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinnedLookup(destination),
    timeout: timeoutMs,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, durationMs: performance.now() - started });
    };
    const request = send(options, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () =>
        finish({
          status: response.statusCode ?? null,
          retryAfter:
            typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : null,
          error: null,
        }),
      );
      response.on('error', (error) =>
        finish({ status: response.statusCode ?? null, retryAfter: null, error: error.message }),
      );
    });
    const deadline = setTimeout(
      () => request.destroy(new Error(`no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error(`socket idle for ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        status: null,
        retryAfter: null,
        error: error.code ? `${error.code}: ${error.message}` : error.message,
      }),
    );
    request.end(body);
  });
}
