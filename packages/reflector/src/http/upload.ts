import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteContext } from './context.ts';
import { respondJson, respondOverByteCap } from './respond.ts';

function respondTooLarge(response: ServerResponse, max: number): void {
  respondJson(
    response,
    413,
    { error: 'request_too_large', message: `at most ${max} bytes per request` },
    { connection: 'close' },
  );
}

/** `POST /upload`: reads and discards the body at the client's rate cap, then answers `{"bytes": n}`. */
export async function upload(request: IncomingMessage, response: ServerResponse, context: RouteContext) {
  const max = context.limits.maxRequestBytes;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > max) {
    respondTooLarge(response, max);
    return;
  }
  let received = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > max) {
        respondTooLarge(response, max);
        return;
      }
      const grant = context.limits.charge(context.clientIp, chunk.length);
      if (!grant.ok) {
        context.logger.warn(
          { receivedBytes: received, retryAfterSeconds: grant.retryAfterSeconds },
          'client over byte cap',
        );
        respondOverByteCap(response, grant.retryAfterSeconds);
        return;
      }
      const wait = context.limits.pace(context.clientIp, chunk.length);
      if (wait > 0) await sleep(wait);
    }
  } catch (error) {
    context.logger.info(
      { receivedBytes: received, reason: (error as Error).message },
      'upload aborted by client',
    );
    return;
  }
  respondJson(response, 200, { bytes: received });
}
