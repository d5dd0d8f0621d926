import type { Layer } from '@reachmap/schema';

/** A censor rule as a scenario file writes it (`{ match: {…}, action: … }`). */
export interface RawRule {
  match: Record<string, unknown>;
  action: unknown;
}

/** The action keys of the scenario format (docs/lab.md, "Actions"), for the coverage table. */
export const SCENARIO_ACTIONS = [
  'drop',
  'reset',
  'blockpage',
  'outage',
  'dns',
  'police',
  'stallAfter',
  'loss',
  'delay',
  'allowlist',
  'lie',
] as const;
export type ScenarioAction = (typeof SCENARIO_ACTIONS)[number];

export const SERVICE_TARGETS = ['whatsapp', 'telegram', 'signal', 'max', 'youtube'] as const;
export type ServiceTarget = (typeof SERVICE_TARGETS)[number];

export type InterferenceState = 'blocked' | 'throttled' | 'stalled';

/**
 * One censorship technique: the rules that do it to one target and what the map must then show. The
 * expected layer is the method family the classifier must name; it is left out only where the family
 * depends on which probe meets the censor first (an HTTP blockpage refuses TLS and rewrites HTTP).
 */
export interface Technique {
  id: string;
  actions: readonly ScenarioAction[];
  targets: readonly ServiceTarget[];
  rules: (target: ServiceTarget) => RawRule[];
  state: InterferenceState;
  layer: Layer | null;
  /** Targets whose flows the rules touch besides the chosen one (an allowlist touches them all). */
  touchesAll?: true;
  /** Agents the censoring ISP needs so a window holds ≥ 4 runs from ≥ 2 agents (docs/lab.md, "Lab pace"). */
  minAgents: number;
  /** Round interval: throughput techniques get the catalogue's 20 s, rounds of blackholes stay 15 s. */
  intervalS: number;
  /** Regions it may be placed in: an allowlist keeps the Russian domestic control reachable. */
  countries?: readonly string[];
}

/** SNI globs written for the real names (the lab suffix is ignored), per target with TLS names. */
const SNI_GLOBS: Partial<Record<ServiceTarget, readonly string[]>> = {
  whatsapp: ['*.whatsapp.net', '*.whatsapp.com'],
  signal: ['*.signal.org'],
};

const sniRules = (target: ServiceTarget, action: unknown): RawRule[] =>
  (SNI_GLOBS[target] ?? []).map((sni) => ({ match: { sni }, action }));

/**
 * DNS answers for poisoning. 127.0.0.1 is the stub Russian ISPs answer for Facebook hosts, 0.0.0.0 the
 * bogon others use (both in @reachmap/ip-ranges' bogon list); 198.18.13.1 is a foreign server (the lab's
 * Hetzner control), routable and honest, just not the target's. Every answer stays inside the lab: an
 * RFC 1918 bogon would be dialled through the lab's masquerade towards the real network.
 */
const DNS_STUB = '127.0.0.1';
const DNS_BOGON = '0.0.0.0';
const DNS_FOREIGN = '198.18.13.1';
/** The lab's blockpage host (docs/lab.md, "World services"). */
const BLOCKPAGE_ADDRESS = '198.18.0.80';

/** Targets with known prefixes: a poisoned answer is judged against them (Signal has none in the lab). */
const DNS_TARGETS = ['whatsapp', 'telegram', 'max', 'youtube'] as const;
/** Targets with throughput suites: only there is a slowed flow a verdict of its own. */
export const THROUGHPUT_TARGETS: readonly ServiceTarget[] = ['whatsapp', 'telegram', 'youtube'];
const TCP_TARGETS = ['whatsapp', 'telegram', 'signal', 'max'] as const;

export const TECHNIQUES: readonly Technique[] = [
  {
    id: 'sni-reset',
    actions: ['reset'],
    targets: ['whatsapp', 'signal'],
    rules: (target) => sniRules(target, 'reset'),
    state: 'blocked',
    layer: 'tls',
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'sni-drop',
    actions: ['drop'],
    targets: ['whatsapp', 'signal'],
    rules: (target) => sniRules(target, 'drop'),
    state: 'blocked',
    layer: 'tls',
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'loss+sni-drop',
    actions: ['loss', 'drop'],
    targets: ['whatsapp', 'signal'],
    rules: (target) => [{ match: {}, action: { loss: '2%' } }, ...sniRules(target, 'drop')],
    state: 'blocked',
    layer: 'tls',
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'tcp-reset',
    actions: ['reset'],
    targets: TCP_TARGETS,
    rules: (target) => [{ match: { target, proto: 'tcp' }, action: 'reset' }],
    state: 'blocked',
    layer: 'tcp',
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'ip-blackhole',
    actions: ['drop'],
    targets: TCP_TARGETS,
    rules: (target) => [{ match: { target }, action: 'drop' }],
    state: 'blocked',
    layer: 'tcp',
    minAgents: 3,
    intervalS: 15,
  },
  {
    id: 'quic-drop',
    actions: ['drop'],
    targets: ['youtube'],
    rules: (target) => [{ match: { target, proto: 'udp', port: 443 }, action: 'drop' }],
    state: 'blocked',
    layer: 'quic',
    minAgents: 2,
    intervalS: 15,
  },
  ...(
    [
      ['dns-nxdomain', 'nxdomain'],
      ['dns-servfail', 'servfail'],
      ['dns-stub', { a: DNS_STUB }],
      ['dns-bogon', { a: DNS_BOGON }],
      ['dns-foreign-ip', { a: DNS_FOREIGN }],
    ] as const
  ).map(
    ([id, answer]): Technique => ({
      id,
      actions: ['dns'],
      targets: DNS_TARGETS,
      rules: (target) => [{ match: { target }, action: { dns: answer } }],
      state: 'blocked',
      layer: 'dns',
      minAgents: 2,
      intervalS: 15,
    }),
  ),
  {
    id: 'dns-blockpage',
    actions: ['dns', 'blockpage'],
    targets: DNS_TARGETS,
    rules: (target) => [
      { match: { target }, action: { dns: { a: BLOCKPAGE_ADDRESS } } },
      { match: { ip: BLOCKPAGE_ADDRESS }, action: 'blockpage' },
    ],
    state: 'blocked',
    layer: 'dns',
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'http-blockpage',
    actions: ['blockpage'],
    targets: ['telegram', 'max'],
    rules: (target) => [{ match: { target, proto: 'tcp' }, action: 'blockpage' }],
    state: 'blocked',
    layer: null,
    minAgents: 2,
    intervalS: 15,
  },
  {
    id: 'police',
    actions: ['police'],
    targets: THROUGHPUT_TARGETS,
    rules: (target) => [{ match: { target, proto: 'tcp' }, action: { police: '128kbit' } }],
    state: 'throttled',
    layer: 'throughput',
    minAgents: 5,
    intervalS: 20,
  },
  {
    id: 'stall',
    actions: ['stallAfter'],
    targets: THROUGHPUT_TARGETS,
    rules: (target) => [{ match: { target, proto: 'tcp' }, action: { stallAfter: '16KiB' } }],
    state: 'stalled',
    layer: 'throughput',
    minAgents: 3,
    intervalS: 20,
  },
  {
    id: 'police+stall',
    actions: ['police', 'stallAfter'],
    targets: THROUGHPUT_TARGETS,
    rules: (target) => [
      { match: { target, proto: 'tcp' }, action: { police: '512kbit' } },
      { match: { target, proto: 'tcp' }, action: { stallAfter: '16KiB' } },
    ],
    state: 'stalled',
    layer: 'throughput',
    minAgents: 3,
    intervalS: 20,
  },
  {
    id: 'allowlist',
    actions: ['allowlist'],
    targets: SERVICE_TARGETS,
    // 198.18.6.0/24: the Russian domestic control; 198.18.0.0/26: the lab's resolvers.
    rules: () => [{ match: {}, action: { allowlist: ['198.18.6.0/24', '198.18.0.0/26'] } }],
    state: 'blocked',
    layer: null,
    touchesAll: true,
    minAgents: 5,
    intervalS: 15,
    countries: ['RU'],
  },
];

export function techniqueById(id: string): Technique {
  const technique = TECHNIQUES.find((candidate) => candidate.id === id);
  if (technique === undefined) throw new RangeError(`no technique ${id}`);
  return technique;
}
