/**
 * The registry of measurement layers: what an agent probes, in the order every view lists them.
 * Each workspace keeps its own part of a layer in a map keyed by these names, typed so that the
 * compiler refuses a map that lacks a layer:
 *
 * | part | where |
 * |---|---|
 * | observation entry schema and cap | `OBSERVATION_LAYERS`, packages/schema/src/observations.ts |
 * | suite spec schema (catalogue) | `SUITE_LAYERS`, packages/targets/src/catalogue-schema.ts |
 * | run (probes, in the agent) | `LAYER_RUNS`, packages/agent/src/rounds/layer-runs.ts |
 * | evidence sentences (classifier) | `FAILED_OBSERVATIONS`, packages/classifier/src/evidence.ts |
 * | what success means (classifier) | `LAYER_OUTCOMES`, packages/classifier/src/outcome.ts |
 * | OONI test key, export and import | `OONI_LAYERS`, packages/ooni/src/ooni-layers.ts |
 * | dashboard evidence section | `LAYER_SECTIONS`, packages/dashboard/src/client/evidence-view.ts |
 *
 * docs/adding-a-probe.md walks through adding one; each map's test checks it covers `LAYERS`. This
 * file imports nothing, so the dashboard's browser bundle takes it (`@reachmap/schema/layer-names`)
 * without zod.
 */
export const LAYERS = ['dns', 'tcp', 'tls', 'http', 'quic', 'throughput'] as const;

/** One of `LAYERS`: the type `Layer` (layers.ts, a zod enum over this list) infers, without zod. */
export type LayerName = (typeof LAYERS)[number];

/** What a measurement records: every layer, plus the low-level network events some tests keep. */
export const OBSERVATION_KEYS = [...LAYERS, 'network_events'] as const;
export type ObservationKey = (typeof OBSERVATION_KEYS)[number];

/** Each layer's name as a person reads it (dashboard headings, docs). */
export const LAYER_TITLES = {
  dns: 'DNS',
  tcp: 'TCP connects',
  tls: 'TLS handshakes',
  http: 'HTTP hops',
  quic: 'QUIC',
  throughput: 'Throughput',
} as const satisfies Record<LayerName, string>;
