import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { type Failure, mapNodeError } from '@reachmap/schema';

export interface PeerValidation {
  valid: boolean;
  failure: Failure | null;
}

/**
 * Judges a completed handshake the way a browser would, without having refused it: first the chain
 * against the trust anchors (`authorized`/`authorizationError`, e.g. ssl_unknown_authority), then the
 * name (`checkServerIdentity`, ssl_invalid_hostname). `name` is the SNI, or the IP when none was sent.
 */
export function validatePeer(socket: TLSSocket, name: string): PeerValidation {
  if (!socket.authorized) {
    const reason: unknown = socket.authorizationError;
    const code = typeof reason === 'string' ? reason : (reason as { code?: unknown } | undefined)?.code;
    return { valid: false, failure: mapNodeError(typeof code === 'string' ? { code } : reason) };
  }
  const identityError = checkServerIdentity(name, socket.getPeerCertificate());
  if (identityError !== undefined) return { valid: false, failure: mapNodeError(identityError) };
  return { valid: true, failure: null };
}
