import { isIP } from 'node:net';
import {
  type DnsResolver,
  type ProbeContext,
  probeDns,
  probeHttp,
  probeQuic,
  probeTcpConnect,
  probeThroughputSuite,
  probeTlsHandshake,
  type ThroughputTarget,
} from '@reachmap/probes';
import type { Layer, Observations, ThroughputRun } from '@reachmap/schema';
import type { Catalogue, Suite, ThroughputSpec } from '@reachmap/targets';
import { runLimited } from './run-limited.ts';
import type { SuiteResolver } from './suite-resolver.ts';

/** What one target's suite run gives each layer: the shared resolver, the catalogue, a probe budget. */
export interface LayerRunContext {
  resolver: SuiteResolver;
  catalogue: Catalogue;
  /** Extra trust anchors in PEM for TLS validation (the lab CA). */
  ca: string[] | undefined;
  /** A fresh probe context with this budget; probes of one measurement share its clock and signal. */
  probe: (timeoutMs: number) => ProbeContext;
  signal: AbortSignal;
}

/** Observations one layer contributes; the TLS layer also records the TCP connects under it. */
export type LayerObservations = Partial<Omit<Observations, 'network_events'>>;

/** The agent's part of the layer registry (packages/schema/src/layers.ts): how a layer's probes run. */
export interface LayerRun<K extends Layer> {
  /**
   * `probe` layers run side by side (a blackholed target costs one timeout per round, not one per
   * layer); `transfer` layers run after them, so a transfer does not share the link with other probes.
   */
  phase: 'probe' | 'transfer';
  run(spec: Suite[K], context: LayerRunContext): Promise<LayerObservations>;
  /** The URLs, hosts or ip:ports this layer measures, for `target.input`. */
  inputs(spec: Suite[K]): string[];
}

/** Per-probe budgets: long enough for a slow mobile link, short enough that a blackhole ends the probe. */
const PROBE_TIMEOUT_MS = { dns: 5_000, tcp: 10_000, tls: 10_000, http: 15_000, quic: 5_000 } as const;
/**
 * Probes of one layer of one target in flight at once: the largest suite, WhatsApp's 16 hosts × 2
 * ports, in one wave, so a blackholed target costs one timeout per round. At 8 it took four: a
 * blackholed WhatsApp round lasted 44 s in the lab (10 s per wave), longer than two rounds of the
 * 15 s interval, and an ASN of 3 agents then stayed under the evidence floor (fuzz world 41204004).
 */
const LAYER_PARALLELISM = 32;

export const DNS_TIMEOUT_MS = PROBE_TIMEOUT_MS.dns;

export const LAYER_RUNS: { [K in Layer]: LayerRun<K> } = {
  dns: {
    phase: 'probe',
    run: async (spec, context) => ({ dns: spec === null ? [] : await runDns(spec, context) }),
    inputs: (spec) => spec?.hostnames ?? [],
  },
  tcp: {
    phase: 'probe',
    async run(spec, { resolver, probe }) {
      const tasks = spec.flatMap((endpoint) => endpoint.ports.map((port) => ({ host: endpoint.host, port })));
      const context = probe(PROBE_TIMEOUT_MS.tcp);
      const results = await runLimited(tasks, LAYER_PARALLELISM, async ({ host, port }) =>
        Promise.all((await resolver.addresses(host)).map((ip) => probeTcpConnect({ ip, port }, context))),
      );
      return { tcp: results.flat() };
    },
    inputs: (spec) => spec.flatMap((endpoint) => endpoint.ports.map((port) => hostPort(endpoint.host, port))),
  },
  tls: {
    phase: 'probe',
    run: runTls,
    inputs: (spec) =>
      spec.flatMap((endpoint) => endpoint.addresses.map((address) => hostPort(address, endpoint.port))),
  },
  http: {
    phase: 'probe',
    async run(spec, { ca, probe }) {
      // A connection gets the TLS probe's budget, the whole fetch the HTTP one: through an SNI drop or
      // to a blackhole the fetch ends when the TLS probe beside it does, not 5 s later.
      const options = { connectTimeoutMs: PROBE_TIMEOUT_MS.tls, ...(ca === undefined ? {} : { ca }) };
      const context = probe(PROBE_TIMEOUT_MS.http);
      const results = await runLimited(spec, LAYER_PARALLELISM, (check) =>
        probeHttp({ url: check.url }, options, context),
      );
      return { http: results.flat() };
    },
    inputs: (spec) => spec.map((check) => check.url),
  },
  quic: {
    phase: 'probe',
    async run(spec, { resolver, probe }) {
      const context = probe(PROBE_TIMEOUT_MS.quic);
      const results = await runLimited(spec, LAYER_PARALLELISM, async (endpoint) =>
        Promise.all(
          (await resolver.addresses(endpoint.host)).map((ip) =>
            probeQuic({ ip, port: endpoint.port, sni: endpoint.sni }, context),
          ),
        ),
      );
      return { quic: results.flat() };
    },
    inputs: (spec) => spec.map((endpoint) => hostPort(endpoint.host, endpoint.port)),
  },
  throughput: {
    phase: 'transfer',
    run: runThroughput,
    inputs: () => [],
  },
};

async function runTls(
  spec: Suite['tls'],
  { resolver, ca, probe }: LayerRunContext,
): Promise<LayerObservations> {
  const tasks = spec.flatMap((endpoint) => endpoint.addresses.map((address) => ({ endpoint, address })));
  const results = await runLimited(tasks, LAYER_PARALLELISM, async ({ endpoint, address }) => {
    const handshakes = [];
    for (const ip of await resolver.addresses(address)) {
      const base = { ip, port: endpoint.port, ca };
      const budget = PROBE_TIMEOUT_MS.tls;
      const target = await probeTlsHandshake(
        { ...base, sni: endpoint.sni, sniRole: 'target' },
        probe(budget),
      );
      handshakes.push(target);
      // Right after the target SNI, to the same address: SNI-based blocking shows as this one succeeding.
      // Not when the target's handshake got no TCP connection: the SNI was never sent, so the harmless
      // one compares nothing, and to a blackholed address it waited a second timeout (a 30 s WhatsApp
      // run, fuzz world 41206138, docs/lab.md).
      if (endpoint.control_sni !== null && target.tcp.failure === null) {
        const control = { ...base, sni: endpoint.control_sni, sniRole: 'control' } as const;
        handshakes.push(await probeTlsHandshake(control, probe(budget)));
      }
    }
    return handshakes;
  });
  const handshakes = results.flat();
  return {
    tcp: handshakes.map((result) => result.tcp),
    tls: handshakes.flatMap((result) => (result.tls === null ? [] : [result.tls])),
  };
}

async function runDns(dns: NonNullable<Suite['dns']>, context: LayerRunContext) {
  const resolvers = dns.resolvers.flatMap((id): DnsResolver[] => {
    if (id === 'system') return [{ kind: 'system' }];
    const resolver = context.catalogue.resolvers.find((candidate) => candidate.id === id);
    if (resolver === undefined) return [];
    return [
      // A DoH resolver is validated like any TLS peer, with the extra trust anchors (the lab CA): without
      // them a lab DoH control failed with ssl_unknown_authority and DNS lost its encrypted reference.
      resolver.kind === 'doh'
        ? { kind: 'doh', url: resolver.address, ...(context.ca === undefined ? {} : { ca: context.ca }) }
        : { kind: resolver.kind, address: resolver.address },
    ];
  });
  const questions = dns.hostnames.flatMap((hostname) =>
    resolvers.map((resolver) => ({ hostname, resolver })),
  );
  const probeContext = context.probe(PROBE_TIMEOUT_MS.dns);
  return runLimited(questions, LAYER_PARALLELISM, ({ hostname, resolver }) =>
    probeDns(resolver, { hostname, type: 'A' }, probeContext),
  );
}

/**
 * The connections of one transfer source one after another: parallel ones would share the
 * bottleneck and hide a per-flow policer. Different sources (a URL, a reflector) side by side, so a
 * target with two policed sources still fits a round.
 */
async function runThroughput(
  spec: Suite['throughput'],
  context: LayerRunContext,
): Promise<LayerObservations> {
  const perSource = await Promise.all(
    spec.map(async (transferSpec) => {
      const runs: ThroughputRun[] = [];
      for (const transfer of await throughputTargets(transferSpec, context)) {
        if (context.signal.aborted) break;
        runs.push(
          ...(await probeThroughputSuite(
            transfer,
            { direction: 'download', bytes: transferSpec.bytes, maxDurationMs: transferSpec.seconds * 1000 },
            { ...context.probe(PROBE_TIMEOUT_MS.tls), connections: transferSpec.connections },
          )),
        );
      }
      return runs;
    }),
  );
  return { throughput: perSource.flat() };
}

/** The transfers of one throughput spec: the target's SNI, then the harmless one on the same reflector. */
async function throughputTargets(
  spec: ThroughputSpec,
  context: LayerRunContext,
): Promise<ThroughputTarget[]> {
  const { source } = spec;
  const { resolver, ca } = context;
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
        tls: secure ? { sni: isIP(host) === 0 ? host : null, ca } : null,
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
    { ip, port: reflector.port, tls: { sni: source.sni, ca }, sniRole: 'target', path },
    { ip, port: reflector.port, tls: { sni: source.control_sni, ca }, sniRole: 'control', path },
  ];
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
