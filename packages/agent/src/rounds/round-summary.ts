import type { Measurement } from '@reachmap/schema';

/** One layer of one measurement in words: "3/4 ok" or "0/2 ok (connection_reset)"; "-" when not measured. */
export interface LayerSummary {
  attempted: number;
  succeeded: number;
  /** The most frequent failure string, as OONI names it. */
  failure: string | null;
}

export interface MeasurementSummary {
  target: string;
  kind: Measurement['target']['kind'];
  durationS: number;
  layers: Record<'dns' | 'tcp' | 'tls' | 'http' | 'quic' | 'throughput', LayerSummary>;
  /** Median goodput of the target-SNI throughput runs, bits per second, null without runs. */
  goodputBps: number | null;
  hint: string;
}

/**
 * A local first look for the operator running `once`, not a verdict: the classifier judges with
 * every agent's controls (docs/techniques.md's thresholds). The hints follow the same first-match order.
 */
export function summarizeRound(measurements: readonly Measurement[]): MeasurementSummary[] {
  const controls = measurements.filter((measurement) => measurement.target.kind === 'control');
  const controlsDown =
    controls.length > 0 && controls.every((control) => !anyLayerSucceeded(layersOf(control)));
  return measurements.map((measurement) => {
    const layers = layersOf(measurement);
    const runs = measurement.observations.throughput.filter((run) => run.sni_role === 'target');
    return {
      target: measurement.target.id,
      kind: measurement.target.kind,
      durationS: (Date.parse(measurement.end_time) - Date.parse(measurement.start_time)) / 1000,
      layers,
      goodputBps: runs.length === 0 ? null : median(runs.map((run) => run.goodput_bps)),
      hint: hintFor(measurement, layers, controlsDown),
    };
  });
}

function layersOf(measurement: Measurement): MeasurementSummary['layers'] {
  const { observations } = measurement;
  return {
    dns: layer(observations.dns.map((query) => query.failure)),
    tcp: layer(observations.tcp.map((connect) => connect.failure)),
    tls: layer(
      observations.tls
        .filter((handshake) => handshake.sni_role === 'target')
        .map((handshake) => handshake.failure),
    ),
    http: layer(observations.http.map((exchange) => exchange.failure)),
    quic: layer(observations.quic.map((probe) => probe.failure)),
    throughput: layer(observations.throughput.map((run) => run.failure)),
  };
}

function hintFor(
  measurement: Measurement,
  layers: MeasurementSummary['layers'],
  controlsDown: boolean,
): string {
  const failing = (Object.entries(layers) as [string, LayerSummary][]).filter(
    ([, summary]) => summary.attempted > 0 && summary.succeeded < summary.attempted,
  );
  if (failing.length === 0) return 'reachable';
  if (controlsDown) return 'controls fail too: local network or outage';
  if (measurement.target.kind === 'control')
    return `control failing at ${failing.map(([name]) => name).join(', ')}`;
  const tls = measurement.observations.tls;
  const targetSniFailed = tls.some(
    (handshake) => handshake.sni_role === 'target' && handshake.failure !== null,
  );
  const controlSniWorked = tls.some(
    (handshake) => handshake.sni_role === 'control' && handshake.failure === null,
  );
  if (targetSniFailed && controlSniWorked) return 'possible SNI filtering (the harmless SNI works)';
  const [name, summary] = failing[0] as [string, LayerSummary];
  return `possible interference at ${name}${summary.failure === null ? '' : ` (${summary.failure})`}`;
}

function layer(failures: readonly (string | null)[]): LayerSummary {
  const counts = new Map<string, number>();
  for (const failure of failures) if (failure !== null) counts.set(failure, (counts.get(failure) ?? 0) + 1);
  const mostFrequent = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    attempted: failures.length,
    succeeded: failures.filter((failure) => failure === null).length,
    failure: mostFrequent,
  };
}

function anyLayerSucceeded(layers: MeasurementSummary['layers']): boolean {
  return Object.values(layers).some((summary) => summary.succeeded > 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The summaries as a fixed-width table for a terminal. */
export function formatRoundTable(summaries: readonly MeasurementSummary[]): string {
  const header = ['target', 'kind', 'dns', 'tcp', 'tls', 'http', 'quic', 'goodput', 'time', 'hint'];
  const rows = summaries.map((summary) => [
    summary.target,
    summary.kind,
    cell(summary.layers.dns),
    cell(summary.layers.tcp),
    cell(summary.layers.tls),
    cell(summary.layers.http),
    cell(summary.layers.quic),
    summary.goodputBps === null ? '-' : `${(summary.goodputBps / 1e6).toFixed(2)} Mbit/s`,
    `${summary.durationS.toFixed(2)}s`,
    summary.hint,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((value, column) => value.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function cell(summary: LayerSummary): string {
  if (summary.attempted === 0) return '-';
  const counts = `${summary.succeeded}/${summary.attempted}`;
  return summary.failure === null ? counts : `${counts} ${summary.failure}`;
}
