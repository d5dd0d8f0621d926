import { isIP } from 'node:net';
import {
  createMeasurementClock,
  type DnsResolver,
  type ProbeContext,
  type ProbeNetwork,
  probeDns,
  probeHttp,
  probeQuic,
  probeTcpConnect,
  probeThroughputSuite,
  probeTlsHandshake,
  type ThroughputTarget,
} from '@reachmap/probes';
import {
  type AgentId,
  type AgentNetwork,
  type DnsQuery,
  type Measurement,
  type MeasurementId,
  type MeasurementSource,
  newMeasurementId,
  type Observations,
  type RoundId,
  type ThroughputRun,
} from '@reachmap/schema';
import type { Catalogue, Target, ThroughputSpec } from '@reachmap/targets';
import { runLimited } from './run-limited.ts';

export const SUITE_TEST = { name: 'reachmap_suite', version: '0.1.0' } as const;

/** Per-probe budgets: long enough for a slow mobile link, short enough that a blackhole ends the probe. */
const PROBE_TIMEOUT_MS = { dns: 5_000, tcp: 10_000, tls: 10_000, http: 15_000, quic: 5_000 } as const;
/** Probes of one layer of one target in flight at once, so 16 blackholed hosts cost one timeout, not 16. */
const LAYER_PARALLELISM = 8;

export interface SuiteContext {
  agent: { id: AgentId; software: { name: string; version: string } };
  network: AgentNetwork;
  source: Extract<MeasurementSource, 'agent' | 'simulated'>;
  catalogue: Catalogue;
  catalogueVersion: string;
  round: { id: RoundId; controls: MeasurementId[] };
  /** The round's deadline and the agent's shutdown: probes still running end as `interrupted`/timeouts. */
  signal: AbortSignal;
  /** Extra trust anchors in PEM for TLS validation (the lab CA). */
  ca?: string[];
  /** How probes reach the network (injected by the lab's agent entry); unset: directly. */
  probeNetwork?: ProbeNetwork;
}

/**
 * Runs one catalogue target's suite through the probes and assembles the v1 measurement. Probes
 * record failures instead of throwing, so a blocked target still yields a complete measurement.
 */
export async function runSuite(target: Target, context: SuiteContext): Promise<Measurement> {
  const startTime = Date.now();
  const clock = createMeasurementClock();
  const network = context.probeNetwork;
  const probe = (timeoutMs: number): ProbeContext => ({
    clock,
    timeoutMs,
    signal: context.signal,
    ...(network === undefined ? {} : { network }),
  });
  const resolver = new SuiteResolver(probe(PROBE_TIMEOUT_MS.dns));
  const { suite } = target;

  // The layers run side by side: each probe has its own sockets, and a blackholed target then costs
  // one timeout per round instead of one per layer (a round must fit its interval).
  const [dns, tcp, handshakes, http, quic] = await Promise.all([
    suite.dns === null ? [] : runDnsSuite(suite.dns, context, probe(PROBE_TIMEOUT_MS.dns)),
    runTcpLayer(suite, resolver, probe(PROBE_TIMEOUT_MS.tcp)),
    runTlsLayer(suite, resolver, context, () => probe(PROBE_TIMEOUT_MS.tls)),
    runHttpLayer(suite, context, probe(PROBE_TIMEOUT_MS.http)),
    runQuicLayer(suite, resolver, probe(PROBE_TIMEOUT_MS.quic)),
  ]);

  // The connections of one transfer source one after another: parallel ones would share the
  // bottleneck and hide a per-flow policer. Different sources (a URL, a reflector) side by side, so a
  // target with two policed sources still fits a round.
  const throughput = (
    await Promise.all(
      suite.throughput.map(async (spec) => {
        const runs: ThroughputRun[] = [];
        for (const transfer of await throughputTargets(spec, context, resolver)) {
          if (context.signal.aborted) break;
          runs.push(
            ...(await probeThroughputSuite(
              transfer,
              { direction: 'download', bytes: spec.bytes, maxDurationMs: spec.seconds * 1000 },
              {
                clock,
                timeoutMs: PROBE_TIMEOUT_MS.tls,
                signal: context.signal,
                ...(network === undefined ? {} : { network }),
                connections: spec.connections,
              },
            )),
          );
        }
        return runs;
      }),
    )
  ).flat();

  const observations: Observations = {
    dns: [...dns, ...resolver.queries],
    tcp: [...tcp, ...handshakes.map((result) => result.tcp)],
    tls: handshakes.flatMap((result) => (result.tls === null ? [] : [result.tls])),
    http,
    quic,
    throughput,
    network_events: [],
  };
  return {
    id: newMeasurementId(startTime),
    schema_version: 1,
    agent: context.agent,
    network: context.network,
    source: { kind: context.source, ooni: null },
    target: {
      id: target.id,
      kind: target.kind,
      control: target.control,
      input: singleInput(target),
      catalogue_version: context.catalogueVersion,
    },
    test: { ...SUITE_TEST },
    round: { id: context.round.id, controls: [...context.round.controls] },
    start_time: new Date(startTime).toISOString(),
    end_time: new Date(Math.max(startTime, Date.now())).toISOString(),
    observations,
  };
}

type SuiteSpec = Target['suite'];

async function runTcpLayer(suite: SuiteSpec, resolver: SuiteResolver, context: ProbeContext) {
  const tasks = suite.tcp.flatMap((endpoint) =>
    endpoint.ports.map((port) => ({ host: endpoint.host, port })),
  );
  const results = await runLimited(tasks, LAYER_PARALLELISM, async ({ host, port }) =>
    Promise.all((await resolver.addresses(host)).map((ip) => probeTcpConnect({ ip, port }, context))),
  );
  return results.flat();
}

async function runTlsLayer(
  suite: SuiteSpec,
  resolver: SuiteResolver,
  suiteContext: SuiteContext,
  context: () => ProbeContext,
) {
  const tasks = suite.tls.flatMap((endpoint) => endpoint.addresses.map((address) => ({ endpoint, address })));
  const results = await runLimited(tasks, LAYER_PARALLELISM, async ({ endpoint, address }) => {
    const handshakes = [];
    for (const ip of await resolver.addresses(address)) {
      const base = { ip, port: endpoint.port, ca: suiteContext.ca };
      handshakes.push(await probeTlsHandshake({ ...base, sni: endpoint.sni, sniRole: 'target' }, context()));
      // Right after the target SNI, to the same address: SNI-based blocking shows as this one succeeding.
      if (endpoint.control_sni !== null) {
        handshakes.push(
          await probeTlsHandshake({ ...base, sni: endpoint.control_sni, sniRole: 'control' }, context()),
        );
      }
    }
    return handshakes;
  });
  return results.flat();
}

async function runHttpLayer(suite: SuiteSpec, suiteContext: SuiteContext, context: ProbeContext) {
  const options = suiteContext.ca === undefined ? {} : { ca: suiteContext.ca };
  const results = await runLimited(suite.http, LAYER_PARALLELISM, (check) =>
    probeHttp({ url: check.url }, options, context),
  );
  return results.flat();
}

async function runQuicLayer(suite: SuiteSpec, resolver: SuiteResolver, context: ProbeContext) {
  const results = await runLimited(suite.quic, LAYER_PARALLELISM, async (endpoint) =>
    Promise.all(
      (await resolver.addresses(endpoint.host)).map((ip) =>
        probeQuic({ ip, port: endpoint.port, sni: endpoint.sni }, context),
      ),
    ),
  );
  return results.flat();
}

async function runDnsSuite(
  dns: NonNullable<Target['suite']['dns']>,
  suiteContext: SuiteContext,
  context: ProbeContext,
): Promise<DnsQuery[]> {
  const resolvers = dns.resolvers.flatMap((id): DnsResolver[] => {
    if (id === 'system') return [{ kind: 'system' }];
    const resolver = suiteContext.catalogue.resolvers.find((candidate) => candidate.id === id);
    if (resolver === undefined) return [];
    return [
      // A DoH resolver is validated like any TLS peer, with the extra trust anchors (the lab CA): without
      // them a lab DoH control failed with ssl_unknown_authority and DNS lost its encrypted reference.
      resolver.kind === 'doh'
        ? {
            kind: 'doh',
            url: resolver.address,
            ...(suiteContext.ca === undefined ? {} : { ca: suiteContext.ca }),
          }
        : { kind: resolver.kind, address: resolver.address },
    ];
  });
  const questions = dns.hostnames.flatMap((hostname) =>
    resolvers.map((resolver) => ({ hostname, resolver })),
  );
  return runLimited(questions, LAYER_PARALLELISM, ({ hostname, resolver }) =>
    probeDns(resolver, { hostname, type: 'A' }, context),
  );
}

/** The transfers of one throughput spec: the target's SNI, then the harmless one on the same reflector. */
async function throughputTargets(
  spec: ThroughputSpec,
  context: SuiteContext,
  resolver: SuiteResolver,
): Promise<ThroughputTarget[]> {
  const { source } = spec;
  if (source.kind === 'url') {
    const url = new URL(source.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'https:';
    const [ip] = await resolver.addresses(host);
    if (ip === undefined) return [];
    return [
      {
        ip,
        port: Number(url.port || (secure ? 443 : 80)),
        tls: secure ? { sni: isIP(host) === 0 ? host : null, ca: context.ca } : null,
        sniRole: 'target',
        host: url.host,
        path: `${url.pathname}${url.search}`,
      },
    ];
  }
  const reflector = context.catalogue.reflectors.find((candidate) => candidate.id === source.reflector);
  if (reflector === undefined) return [];
  const [ip] = await resolver.addresses(reflector.host);
  if (ip === undefined) return [];
  const path = `${source.path}?bytes=${spec.bytes}`;
  return [
    { ip, port: reflector.port, tls: { sni: source.sni, ca: context.ca }, sniRole: 'target', path },
    { ip, port: reflector.port, tls: { sni: source.control_sni, ca: context.ca }, sniRole: 'control', path },
  ];
}

/**
 * Hostnames in tcp/tls/quic/throughput endpoints are resolved once per measurement with the system
 * resolver, as an application would, and the lookups are recorded with the other DNS observations.
 */
class SuiteResolver {
  readonly queries: DnsQuery[] = [];
  readonly #context: ProbeContext;
  readonly #cache = new Map<string, Promise<string[]>>();

  constructor(context: ProbeContext) {
    this.#context = context;
  }

  addresses(host: string): Promise<string[]> {
    if (isIP(host) !== 0) return Promise.resolve([host]);
    let pending = this.#cache.get(host);
    if (pending === undefined) {
      pending = probeDns({ kind: 'system' }, { hostname: host, type: 'A' }, this.#context).then((query) => {
        this.queries.push(query);
        return query.answers.filter((answer) => answer.type === 'A').map((answer) => answer.value);
      });
      this.#cache.set(host, pending);
    }
    return pending;
  }
}

/** `target.input`: the one URL, host or ip:port the suite measures, or null when it covers several. */
function singleInput(target: Target): string | null {
  const { suite } = target;
  const inputs = new Set<string>([
    ...suite.http.map((check) => check.url),
    ...suite.tcp.flatMap((endpoint) => endpoint.ports.map((port) => hostPort(endpoint.host, port))),
    ...suite.tls.flatMap((endpoint) => endpoint.addresses.map((address) => hostPort(address, endpoint.port))),
    ...suite.quic.map((endpoint) => hostPort(endpoint.host, endpoint.port)),
    ...(suite.dns?.hostnames ?? []),
  ]);
  return inputs.size === 1 ? ([...inputs][0] ?? null) : null;
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
