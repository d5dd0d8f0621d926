import type { Server as HttpsServer } from 'node:https';

/** First byte of a TLS record carrying a handshake (RFC 8446 §5.1): tells a ClientHello from HTTP. */
export const TLS_HANDSHAKE_RECORD = 0x16;

const SEGMENT_SIZED_RECORD_BYTES = 1_400;

/**
 * Makes `server` send TLS records of about one segment, as CDNs do early in a connection. A client then
 * reads bytes as they arrive: with 16 KiB records a censor that cuts a flow after ~16 KB (docs/techniques.md)
 * leaves no readable byte at all, and a 128 kbit/s policer delivers one record a second, which reads
 * as bursts rather than a flat rate.
 */
export function sendSegmentSizedRecords(server: HttpsServer): void {
  server.on('secureConnection', (tlsSocket) => tlsSocket.setMaxSendFragment(SEGMENT_SIZED_RECORD_BYTES));
}
