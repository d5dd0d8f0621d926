import type { TlsHandshake } from '@reachmap/schema';
import { describeSniPair } from '../evidence.ts';
import { prevalentMethod, TLS_METHODS, type TlsMethod, tlsFailureMethod } from '../failure-method.ts';
import type { Rule } from './rule.ts';

interface SniPair {
  method: TlsMethod;
  target: TlsHandshake;
  control: TlsHandshake;
}

/**
 * TLS: the handshake with the target's SNI was reset or went silent while a harmless SNI to the same
 * IP and port completed: the server is up, the name is what is blocked (Censored Planet's SNI
 * comparison, IMC 2022 on the TSPU). Needs no round control: the harmless SNI is the control.
 */
export const tlsRule: Rule = ({ measurement }) => {
  const { tls } = measurement.observations;
  const targets = tls.filter((handshake) => handshake.sni_role === 'target');
  if (targets.length === 0 || targets.some((handshake) => handshake.failure === null)) return null;
  const pairs: SniPair[] = targets.flatMap((target) => {
    const method = tlsFailureMethod(target.failure);
    const control = tls.find(
      (handshake) =>
        handshake.sni_role === 'control' &&
        handshake.failure === null &&
        handshake.ip === target.ip &&
        handshake.port === target.port,
    );
    return method === null || control === undefined ? [] : [{ method, target, control }];
  });
  const method = prevalentMethod(
    pairs.map((pair) => pair.method),
    TLS_METHODS,
  );
  if (method === null) return null;
  return {
    status: 'blocked',
    layer: 'tls',
    method,
    evidence: pairs.map((pair) => describeSniPair(pair.target, pair.control)),
    support: {
      agreeing: pairs.length,
      considered: targets.length,
      corroborating: new Set(pairs.map((pair) => pair.control)).size,
    },
  };
};
