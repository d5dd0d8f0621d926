import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RouteContext } from './context.ts';
import { respondJson, respondOverByteCap } from './respond.ts';

/** 16 KiB chunks: fine-grained pacing, and the size at which Russia's 2025 stall cuts flows (docs/techniques.md). */
const CHUNK_BYTES = 16_384;

/**
 * Fresh random bytes per chunk: incompressible, so a compressing middlebox or proxy cannot make a
 * throttled path look fast.
 */
async function* pacedRandomBytes(total: number, context: RouteContext): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < total; ) {
    const size = Math.min(CHUNK_BYTES, total - sent);
    const wait = context.limits.pace(context.clientIp, size);
    if (wait > 0) await sleep(wait);
    yield randomBytes(size);
    sent += size;
  }
}

/** `GET /download?bytes=N`: N pseudo-random bytes, paced to the client's rate cap. */
export async function download(request: IncomingMessage, response: ServerResponse, context: RouteContext) {
  const raw = new URL(request.url ?? '/', 'http://reflector').searchParams.get('bytes') ?? '';
  if (!/^\d{1,12}$/.test(raw)) {
    respondJson(response, 400, {
      error: 'bad_request',
      message: 'expected ?bytes= with a whole number of bytes',
    });
    return;
  }
  const bytes = Number(raw);
  if (bytes > context.limits.maxRequestBytes) {
    respondJson(response, 413, {
      error: 'request_too_large',
      message: `at most ${context.limits.maxRequestBytes} bytes per request`,
    });
    return;
  }
  // Charged up front, so parallel connections cannot together exceed the window.
  const grant = context.limits.charge(context.clientIp, bytes);
  if (!grant.ok) {
    context.logger.warn(
      { requestedBytes: bytes, retryAfterSeconds: grant.retryAfterSeconds },
      'client over byte cap',
    );
    respondOverByteCap(response, grant.retryAfterSeconds);
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': bytes,
    'cache-control': 'no-store',
  });
  try {
    await pipeline(Readable.from(pacedRandomBytes(bytes, context)), response);
  } catch (error) {
    context.logger.info(
      { requestedBytes: bytes, reason: (error as Error).message },
      'download aborted by client',
    );
  }
}
