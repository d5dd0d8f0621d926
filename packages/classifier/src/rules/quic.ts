import type { QuicProbe, TcpConnect, TlsHandshake } from '@reachmap/schema';
import { describeQuic, describeTcp, describeTls } from '../evidence.ts';
import { quicAnswered } from '../outcome.ts';
import type { Rule } from './rule.ts';

type StreamObservation = TcpConnect | TlsHandshake;

function describeStream(observation: StreamObservation): string {
  return 'sni_role' in observation ? describeTls(observation) : describeTcp(observation);
}

/**
 * QUIC: no answer at all to our QUIC v1 Initial while TCP or TLS to the same host worked in the same
 * measurement (RU from 2022, SNI-aware since 2023; docs/techniques.md). A version negotiation or any other
 * packet back counts as an answer: the path carries UDP 443.
 */
export const quicRule: Rule = ({ measurement }) => {
  const { quic, tcp, tls } = measurement.observations;
  if (quic.length === 0 || quic.some(quicAnswered)) return null;
  const working: StreamObservation[] = [
    ...tls.filter((handshake) => handshake.sni_role === 'target' && handshake.failure === null),
    ...tcp.filter((connect) => connect.failure === null),
  ];
  const sameHost = (probe: QuicProbe) =>
    working.filter(
      (observation) =>
        observation.ip === probe.ip || ('sni_role' in observation && observation.sni === probe.sni),
    );
  const blocked = quic.filter((probe) => sameHost(probe).length > 0);
  const partners = new Set(blocked.flatMap(sameHost));
  if (blocked.length === 0) return null;
  return {
    status: 'blocked',
    layer: 'quic',
    method: 'quic-blocked',
    evidence: [...blocked.slice(0, 5).map(describeQuic), ...[...partners].slice(0, 3).map(describeStream)],
    support: { agreeing: blocked.length, considered: quic.length, corroborating: partners.size },
  };
};
