import type { Failure, Method } from '@reachmap/schema';

export type TcpMethod = Extract<Method, 'reset' | 'timeout' | 'refused' | 'unreachable'>;
export type TlsMethod = Extract<Method, 'sni-reset' | 'sni-timeout'>;

/** Tie-break order when connections failed in different ways: an active answer is the stronger sign. */
export const TCP_METHODS: readonly TcpMethod[] = ['reset', 'refused', 'unreachable', 'timeout'];
export const TLS_METHODS: readonly TlsMethod[] = ['sni-reset', 'sni-timeout'];

/**
 * How a failed TCP connect was refused, in OONI's failure taxonomy: an injected RST (RU 2022), a
 * silent drop (blackholed IP ranges) or an ICMP error. Null for failures that name none of these.
 */
export function tcpFailureMethod(failure: Failure | null): TcpMethod | null {
  switch (failure) {
    case 'connection_reset':
    case 'connection_aborted':
      return 'reset';
    case 'connection_refused':
      return 'refused';
    case 'generic_timeout_error':
      return 'timeout';
    case 'host_unreachable':
    case 'network_unreachable':
      return 'unreachable';
    default:
      return null;
  }
}

/**
 * How a TLS handshake with the target's SNI was cut: a reset or FIN right after the ClientHello
 * (TSPU, Censored Planet IMC 2022) or silence until the timeout (RU 2024-2026 silent drop).
 */
export function tlsFailureMethod(failure: Failure | null): TlsMethod | null {
  switch (failure) {
    case 'connection_reset':
    case 'connection_aborted':
    case 'eof_error':
      return 'sni-reset';
    case 'generic_timeout_error':
      return 'sni-timeout';
    default:
      return null;
  }
}

/** Frequency vote among methods; ties go to the one listed first in `order`. */
export function prevalentMethod<M extends Method>(methods: readonly M[], order: readonly M[]): M | null {
  let best: M | null = null;
  let bestCount = 0;
  for (const candidate of order) {
    const count = methods.filter((method) => method === candidate).length;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}
