import type { AgentId, AgentNetwork, Measurement } from '@reachmap/schema';
import { newPrefixedId } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';

/** What one agent of the load looks like to the store: its id and the network it declared. */
export interface AgentIdentity {
  id: AgentId;
  network: AgentNetwork;
}

const SOFTWARE = { name: 'reachmap-agent', version: '0.1.0' };

/**
 * The services of a round: the lab catalogue's, since the collector refuses targets its catalogue
 * does not list. Lab addresses only (198.18.0.0/15), nothing here is ever contacted.
 */
const SERVICES = [
  { id: 'whatsapp', input: 'e1.whatsapp.net:443', ip: '198.18.0.10' },
  { id: 'telegram', input: '149.154.167.51:443', ip: '198.18.0.11' },
  { id: 'signal', input: 'chat.signal.org:443', ip: '198.18.0.12' },
  { id: 'max', input: 'web.max.ru:443', ip: '198.18.0.14' },
  { id: 'youtube', input: 'www.youtube.com:443', ip: '198.18.0.13' },
] as const;
const DOMESTIC_CONTROL = 'control-domestic-ru';
const FOREIGN_CONTROL = 'control-foreign-hetzner';

export const ROUND_SIZE = SERVICES.length + 2;

/** Every target id a round measures, controls first. */
export const ROUND_TARGET_IDS = [DOMESTIC_CONTROL, FOREIGN_CONTROL, ...SERVICES.map((service) => service.id)];

function tcpConnects(ip: string) {
  // A service's suite connects to several endpoints, as OONI's whatsapp test does (443 and 5222).
  return [443, 5222, 80].map((port, index) => ({
    ip,
    port,
    failure: null,
    t0: 0.001 + index * 0.05,
    t: 0.012 + index * 0.05,
  }));
}

function tlsHandshake(ip: string, sni: string, role: 'target' | 'control', reset: boolean) {
  return {
    ip,
    port: 443,
    sni,
    sni_role: role,
    alpn_offered: ['h2', 'http/1.1'],
    alpn_negotiated: reset ? null : 'h2',
    tls_version: reset ? null : 'TLSv1.3',
    cipher_suite: reset ? null : 'TLS_AES_128_GCM_SHA256',
    peer_certificates: [],
    validation: { valid: !reset, failure: null },
    failure: reset ? ('connection_reset' as const) : null,
    t0: 0.2,
    t: 0.25,
  };
}

/**
 * TCP to every endpoint, then TLS with the target's SNI; a blocked service sees its ClientHello reset
 * while a harmless SNI to the same address completes (the TSPU pattern, docs/techniques.md).
 */
function serviceObservations(ip: string, input: string, blocked: boolean) {
  const sni = input.split(':')[0] ?? input;
  const tls = [tlsHandshake(ip, sni, 'target', blocked)];
  if (blocked) tls.push(tlsHandshake(ip, 'example.org', 'control', false));
  return { tcp: tcpConnects(ip), tls };
}

/**
 * One agent round as the agent submits it: a domestic and a foreign control, then every service,
 * each service listing the round's control ids (so the aggregator judges it by them). `blockedShare`
 * of the services get their TLS ClientHello reset, so rollups and states carry more than one status.
 */
export function roundMeasurements(agent: AgentIdentity, startMs: number, blockedShare = 0.25): Measurement[] {
  const round = newPrefixedId('rnd');
  const base = (offsetMs: number) => {
    const start = new Date(startMs + offsetMs).toISOString();
    return {
      start_time: start,
      end_time: new Date(startMs + offsetMs + 1500).toISOString(),
      agent: { id: agent.id, software: SOFTWARE },
      network: agent.network,
    };
  };
  const domestic = sampleMeasurement({
    ...base(0),
    target: {
      id: DOMESTIC_CONTROL,
      kind: 'control',
      control: 'domestic',
      input: 'ya.ru:443',
      catalogue_version: 'lab-1',
    },
    test: { name: 'control', version: '0.1.0' },
    round: { id: round, controls: [] },
  });
  const foreign = sampleMeasurement({
    ...base(10),
    target: {
      id: FOREIGN_CONTROL,
      kind: 'control',
      control: 'foreign',
      input: 'example.org:443',
      catalogue_version: 'lab-1',
    },
    test: { name: 'control', version: '0.1.0' },
    round: { id: round, controls: [] },
  });
  const services = SERVICES.map((service, index) => {
    const blocked = (index + 1) / SERVICES.length <= blockedShare;
    const measurement = sampleMeasurement({
      ...base(20 + index * 10),
      target: {
        id: service.id,
        kind: 'service',
        control: null,
        input: service.input,
        catalogue_version: 'lab-1',
      },
      test: { name: service.id, version: '0.1.0' },
      round: { id: round, controls: [domestic.id, foreign.id] },
    });
    return {
      ...measurement,
      observations: {
        ...measurement.observations,
        ...serviceObservations(service.ip, service.input, blocked),
      },
    };
  });
  return [domestic, foreign, ...services];
}
