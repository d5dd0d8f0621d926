import { createMeasurementClock, type ProbeContext, type ProbeNetwork } from '@reachmap/probes';
import {
  type AgentId,
  type AgentNetwork,
  LAYERS,
  type Layer,
  type Measurement,
  type MeasurementId,
  type MeasurementSource,
  newMeasurementId,
  OBSERVATION_KEYS,
  type Observations,
  type RoundId,
} from '@reachmap/schema';
import type { Catalogue, Suite, Target } from '@reachmap/targets';
import { DNS_TIMEOUT_MS, LAYER_RUNS, type LayerObservations, type LayerRunContext } from './layer-runs.ts';
import { SuiteResolver } from './suite-resolver.ts';

export const SUITE_TEST = { name: 'reachmap_suite', version: '0.1.0' } as const;

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
 * Runs one catalogue target's suite through every registered layer's probes and assembles the v1
 * measurement. Probes record failures instead of throwing, so a blocked target still yields a
 * complete measurement.
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
  const resolver = new SuiteResolver(probe(DNS_TIMEOUT_MS));
  const layerContext: LayerRunContext = {
    resolver,
    catalogue: context.catalogue,
    ca: context.ca,
    probe,
    signal: context.signal,
  };
  const runPhase = (phase: 'probe' | 'transfer') =>
    Promise.all(
      LAYERS.filter((layer) => LAYER_RUNS[layer].phase === phase).map((layer) =>
        runLayer(layer, target.suite, layerContext),
      ),
    );
  const contributions = [...(await runPhase('probe')), ...(await runPhase('transfer'))];

  const observations = Object.fromEntries(
    OBSERVATION_KEYS.map((key) => [key, []]),
  ) as unknown as Observations;
  for (const contribution of contributions) appendObservations(observations, contribution);
  // The system resolver's lookups of endpoint hostnames come after the DNS layer's own questions.
  observations.dns.push(...resolver.queries);
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
      input: singleInput(target.suite),
      catalogue_version: context.catalogueVersion,
    },
    test: { ...SUITE_TEST },
    round: { id: context.round.id, controls: [...context.round.controls] },
    start_time: new Date(startTime).toISOString(),
    end_time: new Date(Math.max(startTime, Date.now())).toISOString(),
    observations,
  };
}

function runLayer<K extends Layer>(
  layer: K,
  suite: Suite,
  context: LayerRunContext,
): Promise<LayerObservations> {
  return LAYER_RUNS[layer].run(suite[layer], context);
}

function appendObservations(observations: Observations, contribution: LayerObservations): void {
  for (const layer of LAYERS) {
    const entries = contribution[layer];
    if (entries !== undefined) (observations[layer] as unknown[]).push(...entries);
  }
}

/** `target.input`: the one URL, host or ip:port the suite measures, or null when it covers several. */
function singleInput(suite: Suite): string | null {
  const inputs = new Set<string>(LAYERS.flatMap((layer) => layerInputs(layer, suite)));
  return inputs.size === 1 ? ([...inputs][0] ?? null) : null;
}

function layerInputs<K extends Layer>(layer: K, suite: Suite): string[] {
  return LAYER_RUNS[layer].inputs(suite[layer]);
}
