import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { type Failure, mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';
import { secureContextFor } from './secure-contexts.ts';

export interface StartTlsOptions {
  /** The SNI to send; null sends none. An IP literal is never sent as SNI (RFC 6066 §3). */
  sni: string | null;
  alpn: string[];
  /** Extra trust anchors in PEM (the lab CA); the system store is used when absent. */
  ca?: string | string[];
}

export type StartTlsResult = { ok: true; socket: tls.TLSSocket } | { ok: false; failure: Failure };

/**
 * Runs a TLS client handshake over an open TCP socket. Certificates are never fatal here
 * (`rejectUnauthorized: false`): a censor's forged or missing certificate is data for the caller to
 * judge. A reset after the ClientHello is `connection_reset`, a FIN `eof_error`, silence the
 * deadline's `generic_timeout_error`.
 */
export function startTls(
  socket: Socket,
  options: StartTlsOptions,
  deadline: Deadline,
): Promise<StartTlsResult> {
  return new Promise((resolve) => {
    const servername = options.sni !== null && isIP(options.sni) === 0 ? options.sni : undefined;
    const tlsSocket = tls.connect({
      socket,
      servername,
      ALPNProtocols: options.alpn,
      secureContext: secureContextFor(options.ca),
      rejectUnauthorized: false,
    });
    const finish = (result: StartTlsResult) => {
      deadline.signal.removeEventListener('abort', onAbort);
      tlsSocket.removeAllListeners('secureConnect');
      tlsSocket.removeAllListeners('error');
      if (!result.ok) tlsSocket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, failure: deadline.failure() });
    if (deadline.signal.aborted) {
      onAbort();
      return;
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    tlsSocket.once('secureConnect', () => finish({ ok: true, socket: tlsSocket }));
    tlsSocket.once('error', (error) => finish({ ok: false, failure: mapNodeError(error) }));
  });
}
