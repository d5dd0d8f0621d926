import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@reachmap/telemetry';
import type { ClientLimits } from '../client-limits.ts';
import type { ClientLimitsConfig } from '../config.ts';
import { download } from './download.ts';
import { info } from './info.ts';
import { respondJson } from './respond.ts';
import { upload } from './upload.ts';

export interface RouterOptions {
  limits: ClientLimits;
  limitsConfig: ClientLimitsConfig;
  logger: Logger;
}

const ROUTES: ReadonlyMap<string, string> = new Map([
  ['/', 'GET'],
  ['/address', 'GET'],
  ['/download', 'GET'],
  ['/upload', 'POST'],
]);

/** One handler for plain HTTP and for TLS with any SNI; logs each request with the client IP, never payloads. */
export function createRouter({ limits, limitsConfig, logger }: RouterOptions) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const startedAt = performance.now();
    const socket = request.socket as Partial<TLSSocket>;
    const clientIp = request.socket.remoteAddress ?? 'unknown';
    const sni = typeof socket.servername === 'string' ? socket.servername : null;
    const path = new URL(request.url ?? '/', 'http://reflector').pathname;
    const requestLogger = logger.child({
      clientIp,
      transport: socket.encrypted === true ? 'tls' : 'tcp',
      sni,
    });
    response.once('close', () => {
      requestLogger.info(
        {
          method: request.method,
          path,
          status: response.statusCode,
          completed: response.writableFinished,
          durationMs: Math.round(performance.now() - startedAt),
        },
        'request completed',
      );
    });

    const method = ROUTES.get(path);
    if (method === undefined) {
      respondJson(response, 404, { error: 'not_found' });
      return;
    }
    if (request.method !== method) {
      respondJson(response, 405, { error: 'method_not_allowed' }, { allow: method });
      return;
    }
    const context = { clientIp, limits, logger: requestLogger };
    if (path === '/download') void download(request, response, context);
    else if (path === '/upload') void upload(request, response, context);
    // An agent's own view of its public address at enrolment (docs/operators.md, "The network").
    else if (path === '/address') respondJson(response, 200, { address: clientIp });
    else info(response, limitsConfig);
  };
}
