import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { IssuedCertificate } from '@reachmap/pki';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

export interface ThroughputServerOptions {
  /** Pace downloads at this rate (a policer's view); unpaced when absent. */
  rateBytesPerSecond?: number;
  /** Stop sending after this many body bytes and keep the connection open (the "16 KB" censor). */
  stallAfterBytes?: number;
  /** Never read upload bodies (a receiver that stopped acknowledging). */
  ignoreUploads?: boolean;
  /** Serve over TLS with this certificate. */
  certificate?: IssuedCertificate;
}

/** Pacing tick: 20 writes per second keeps a paced stream smooth at 100 ms sampling. */
const PACE_TICK_MS = 50;
const UNPACED_CHUNK = Buffer.alloc(64 * 1024, 0x61);

function sendDownload(response: ServerResponse, total: number, options: ThroughputServerOptions): void {
  const limit = Math.min(total, options.stallAfterBytes ?? Number.POSITIVE_INFINITY);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  let sent = 0;
  const sendUpTo = (budget: number): boolean => {
    while (budget > 0 && sent < limit) {
      const size = Math.min(budget, limit - sent, UNPACED_CHUNK.length);
      sent += size;
      budget -= size;
      if (!response.write(UNPACED_CHUNK.subarray(0, size))) return false;
    }
    return true;
  };
  const finishIfDone = () => {
    if (sent >= total) response.end();
  };
  if (options.rateBytesPerSecond === undefined) {
    const pump = () => {
      while (sent < limit) {
        if (!sendUpTo(UNPACED_CHUNK.length)) return; // resumed by 'drain'
      }
      finishIfDone();
    };
    response.on('drain', pump);
    pump();
    return;
  }
  const perTick = Math.max(1, Math.round((options.rateBytesPerSecond * PACE_TICK_MS) / 1000));
  const ticker = setInterval(() => {
    sendUpTo(perTick);
    finishIfDone();
    if (sent >= limit) clearInterval(ticker);
  }, PACE_TICK_MS);
  response.on('close', () => clearInterval(ticker));
}

function receiveUpload(
  request: IncomingMessage,
  response: ServerResponse,
  options: ThroughputServerOptions,
): void {
  if (options.ignoreUploads) {
    request.pause();
    return;
  }
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  request.once('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end(String(received)));
}

/** A reflector-shaped server: `GET /download?bytes=N` and `POST /upload`. */
export function startThroughputServer(options: ThroughputServerOptions = {}): Promise<LoopbackServer> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://lab');
    if (request.method === 'GET' && url.pathname === '/download') {
      sendDownload(response, Number(url.searchParams.get('bytes') ?? '0'), options);
    } else if (request.method === 'POST' && url.pathname === '/upload') {
      receiveUpload(request, response, options);
    } else {
      response.writeHead(404).end();
    }
  };
  const server = options.certificate
    ? https.createServer(
        { cert: options.certificate.chainPem, key: options.certificate.privateKeyPem },
        handler,
      )
    : http.createServer(handler);
  return listenOnLoopback(server);
}
