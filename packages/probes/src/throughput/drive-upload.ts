import type { Duplex } from 'node:stream';
import { mapNodeError } from '@reachmap/schema';
import { createResponseHeadReader } from './response-head.ts';
import type { TransferSession } from './transfer-session.ts';

/** Upload chunk size: small enough that progress moves smoothly once the send buffer is full. */
const CHUNK_BYTES = 16 * 1024;

/**
 * Sends `POST path` with a body of `totalBytes` and counts a chunk as moved when the socket has
 * handed it to the kernel (its write callback). The transfer completes when the server's response
 * arrives, i.e. after it read the whole body; a non-2xx status is `http_request_failed`.
 *
 * Known bias: the kernel send buffer (up to a few MB) absorbs the first bytes at memory speed, so
 * short uploads over-estimate goodput; use bodies well above the buffer size.
 */
export function driveUpload(
  socket: Duplex,
  requestHead: string,
  totalBytes: number,
  session: TransferSession,
): void {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x5a);
  const readHead = createResponseHeadReader();
  let sent = 0;
  let stopped = false;
  void session.done.then(() => {
    stopped = true;
  });
  const writeNext = () => {
    if (stopped || sent >= totalBytes) return;
    const size = Math.min(CHUNK_BYTES, totalBytes - sent);
    sent += size;
    socket.write(chunk.subarray(0, size), (error) => {
      if (error) return; // the 'error' event reports it
      session.progress(size);
      writeNext();
    });
  };
  socket.on('data', (data: Buffer) => {
    const head = readHead(data);
    if (head.kind === 'incomplete') return;
    if (head.kind === 'complete' && head.status >= 200 && head.status <= 299) session.complete();
    else session.fail('http_request_failed');
  });
  socket.once('end', () => session.fail('eof_error'));
  socket.once('error', (error) => session.fail(mapNodeError(error)));
  socket.write(requestHead, () => writeNext());
}
