import type { Duplex } from 'node:stream';
import { mapNodeError } from '@reachmap/schema';
import { createResponseHeadReader } from './response-head.ts';
import type { TransferSession } from './transfer-session.ts';

/**
 * Sends `GET path` and feeds body bytes to the session. A non-2xx status is `http_request_failed`;
 * a close before Content-Length bytes arrived is `eof_error`; without Content-Length the server's
 * close completes the transfer.
 */
export function driveDownload(socket: Duplex, requestHead: string, session: TransferSession): void {
  const readHead = createResponseHeadReader();
  let headDone = false;
  let contentLength: number | null = null;
  let body = 0;
  socket.on('data', (chunk: Buffer) => {
    if (headDone) {
      body += chunk.length;
      session.progress(chunk.length);
    } else {
      const head = readHead(chunk);
      if (head.kind === 'incomplete') return;
      if (head.kind === 'malformed' || head.status < 200 || head.status > 299) {
        session.fail('http_request_failed');
        return;
      }
      headDone = true;
      contentLength = head.contentLength;
      body = head.bodyBytes;
      session.progress(head.bodyBytes);
    }
    if (contentLength !== null && body >= contentLength) session.complete();
  });
  socket.once('end', () => {
    if (headDone && (contentLength === null || body >= contentLength)) session.complete();
    else session.fail('eof_error');
  });
  socket.once('error', (error) => session.fail(mapNodeError(error)));
  socket.write(requestHead);
}
