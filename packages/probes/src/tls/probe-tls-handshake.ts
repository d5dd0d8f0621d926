import type { TcpConnect, TlsHandshake } from '@reachmap/schema';
import { createDeadline } from '../deadline.ts';
import { probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { openTcpConnection } from '../tcp/open-connection.ts';
import { summarizePeerChain } from './certificate-summary.ts';
import { startTls } from './start-tls.ts';
import { validatePeer } from './validate-peer.ts';

/** What browsers offer; a censor keying on ALPN sees an ordinary client. */
export const DEFAULT_ALPN = ['h2', 'http/1.1'];

export interface TlsHandshakeTarget {
  ip: string;
  port: number;
  /** The SNI to send (null sends none); may be a harmless control name against the target's IP. */
  sni: string | null;
  sniRole: 'target' | 'control';
  alpn?: string[];
  /** Extra trust anchors in PEM (the lab CA) for the validation verdict. */
  ca?: string | string[];
}

/** The TCP connect that carried the handshake, and the handshake itself (null when TCP failed). */
export interface TlsHandshakeResult {
  tcp: TcpConnect;
  tls: TlsHandshake | null;
}

/**
 * Connects to `ip:port` and runs one TLS handshake with the given SNI. `context.timeoutMs` bounds
 * the connect and the handshake together.
 */
export async function probeTlsHandshake(
  target: TlsHandshakeTarget,
  context: ProbeContext,
): Promise<TlsHandshakeResult> {
  const { clock } = context;
  const deadline = createDeadline(context.timeoutMs, context.signal);
  const alpn = target.alpn ?? DEFAULT_ALPN;

  const tcpT0 = clock.seconds();
  const connection = await openTcpConnection(target.ip, target.port, deadline, probeNetworkOf(context));
  const tcp: TcpConnect = {
    ip: target.ip,
    port: target.port,
    failure: connection.ok ? null : connection.failure,
    t0: tcpT0,
    t: clock.seconds(),
  };
  if (!connection.ok) return { tcp, tls: null };

  const t0 = clock.seconds();
  const handshake = await startTls(connection.socket, { sni: target.sni, alpn, ca: target.ca }, deadline);
  const t = clock.seconds();
  const base = {
    ip: target.ip,
    port: target.port,
    sni: target.sni,
    sni_role: target.sniRole,
    alpn_offered: alpn,
    t0,
    t,
  };
  if (!handshake.ok) {
    connection.socket.destroy();
    return {
      tcp,
      tls: {
        ...base,
        alpn_negotiated: null,
        tls_version: null,
        cipher_suite: null,
        peer_certificates: [],
        validation: { valid: false, failure: null },
        failure: handshake.failure,
      },
    };
  }
  const { socket } = handshake;
  const negotiated = socket.alpnProtocol;
  const observation: TlsHandshake = {
    ...base,
    alpn_negotiated: typeof negotiated === 'string' ? negotiated : null,
    tls_version: socket.getProtocol(),
    cipher_suite: socket.getCipher().standardName,
    peer_certificates: summarizePeerChain(socket.getPeerCertificate(true)),
    validation: validatePeer(socket, target.sni ?? target.ip),
    failure: null,
  };
  socket.destroy();
  return { tcp, tls: observation };
}
