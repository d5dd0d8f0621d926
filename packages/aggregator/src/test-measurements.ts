import {
  type AgentId,
  type Measurement,
  MeasurementV1,
  newMeasurementId,
  newPrefixedId,
  type Observations,
} from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';

/**
 * Lab rounds for aggregator tests: two controls and one WhatsApp target measured by one agent, with
 * observations the real classifier judges (SNI reset with a working harmless SNI = blocked).
 */

const TARGET_IP = '198.18.0.10';
const NONE = emptyObservations();

export type TargetOutcome = 'sni-reset' | 'reachable' | 'unreachable';

export interface LabAgent {
  id: AgentId;
  region: string;
  asn: number;
  simulated?: boolean;
}

export function labAgent(n: number, region: string, asn: number): LabAgent {
  return { id: `agt_aggregator${String(n).padStart(10, '0')}`, region, asn };
}

function tcp(ip: string, worked: boolean) {
  return {
    ip,
    port: 443,
    failure: worked ? null : ('generic_timeout_error' as const),
    t0: 0,
    t: worked ? 0.02 : 10,
  };
}

function tls(role: 'target' | 'control', failure: 'connection_reset' | null) {
  return {
    ip: TARGET_IP,
    port: 443,
    sni: role === 'target' ? 'e1.whatsapp.net' : 'example.org',
    sni_role: role,
    alpn_offered: ['h2'],
    alpn_negotiated: failure === null ? 'h2' : null,
    tls_version: failure === null ? 'TLSv1.3' : null,
    cipher_suite: null,
    peer_certificates: [],
    validation: { valid: failure === null, failure: null },
    failure,
    t0: 0.02,
    t: 0.05,
  };
}

function targetObservations(outcome: TargetOutcome): Partial<Observations> {
  switch (outcome) {
    case 'sni-reset':
      return { tcp: [tcp(TARGET_IP, true)], tls: [tls('target', 'connection_reset'), tls('control', null)] };
    case 'reachable':
      return { tcp: [tcp(TARGET_IP, true)], tls: [tls('target', null)] };
    case 'unreachable':
      return { tcp: [tcp(TARGET_IP, false)] };
  }
}

/** One round at `atMs`: [domestic control, foreign control, target], all valid v1 measurements. */
export function labRound(
  agent: LabAgent,
  atMs: number,
  outcome: { target: TargetOutcome; controlsWork: boolean },
): [Measurement, Measurement, Measurement] {
  const base = sampleMeasurement();
  const roundId = newPrefixedId('rnd');
  const common = {
    agent: { ...base.agent, id: agent.id },
    network: {
      country: agent.region.slice(0, 2),
      region: agent.region,
      asn: agent.asn,
      network_type: 'fixed' as const,
    },
    source: { kind: agent.simulated === true ? ('simulated' as const) : ('agent' as const), ooni: null },
    start_time: new Date(atMs).toISOString(),
    end_time: new Date(atMs + 1_000).toISOString(),
  };
  // The lab catalogue's own control ids: a collector refuses targets outside the catalogue it serves.
  const controlId = { domestic: 'control-domestic-ru', foreign: 'control-foreign-hetzner' } as const;
  const control = (kind: 'domestic' | 'foreign', ip: string): Measurement =>
    MeasurementV1.parse({
      ...base,
      ...common,
      id: newMeasurementId(atMs),
      target: { ...base.target, id: controlId[kind], kind: 'control', control: kind, input: null },
      round: { id: roundId, controls: [] },
      observations: { ...NONE, tcp: [tcp(ip, outcome.controlsWork)] },
    });
  const domestic = control('domestic', '198.18.1.10');
  const foreign = control('foreign', '198.19.1.10');
  const target = MeasurementV1.parse({
    ...base,
    ...common,
    id: newMeasurementId(atMs),
    round: { id: roundId, controls: [domestic.id, foreign.id] },
    observations: { ...NONE, ...targetObservations(outcome.target) },
  });
  return [domestic, foreign, target];
}
