import {
  type DnsQuery,
  type Failure,
  type HttpExchange,
  LAYERS,
  type Layer,
  type Observations,
  type QuicProbe,
  type ThroughputRun,
} from '@reachmap/schema';

/** The addresses a DNS query resolved to; empty when it failed, returned an error code or only CNAMEs. */
export function answeredIps(query: DnsQuery): string[] {
  if (query.failure !== null || (query.rcode !== null && query.rcode !== 'NOERROR')) return [];
  return query.answers.filter((answer) => answer.type !== 'CNAME').map((answer) => answer.value);
}

/**
 * The addresses a NOERROR response carried, including those the probe flagged: it records an answer
 * with a bogon address (127.0.0.1) as `dns_bogon_error`, as OONI's netxlite does, and keeps the answer,
 * which is exactly what the DNS rule must compare. Empty for an error code or a response without answers.
 */
export function recordedAddresses(query: DnsQuery): string[] {
  const noError =
    query.rcode === 'NOERROR' && (query.failure === null || query.failure === 'dns_bogon_error');
  if (!noError) return [];
  return query.answers.filter((answer) => answer.type !== 'CNAME').map((answer) => answer.value);
}

export function resolved(query: DnsQuery): boolean {
  return answeredIps(query).length > 0;
}

export function quicAnswered(probe: QuicProbe): boolean {
  return probe.response !== null;
}

/** A transfer that got any payload through: its handshakes worked, whatever happened after. */
export function delivered(run: ThroughputRun): boolean {
  return run.bytes > 0;
}

/**
 * Transfers with the target's SNI to a reflector: an address that also carried transfers with a
 * harmless SNI in the same measurement (`sni_role = 'control'`). They test whether the target's name is
 * treated differently on a neutral server, not whether the target can be reached: under an allowlist
 * the reflector stays reachable while every address of the target is blackholed (fuzz world
 * 192000739: YouTube judged `ok` on its reflector transfers alone).
 */
function onReflector(runs: readonly ThroughputRun[]): (run: ThroughputRun) => boolean {
  const reflectors = new Set(
    runs.filter((run) => run.sni_role === 'control').map((run) => `${run.ip} ${run.port}`),
  );
  return (run) => reflectors.has(`${run.ip} ${run.port}`);
}

/** One requested URL and the redirects followed from it; a new chain starts at every hop 0. */
export interface HttpChain {
  url: string;
  exchanges: HttpExchange[];
  final: HttpExchange;
}

export function httpChains(exchanges: readonly HttpExchange[]): HttpChain[] {
  const chains: HttpChain[] = [];
  for (const exchange of exchanges) {
    const current = chains.at(-1);
    if (exchange.hop === 0 || current === undefined) {
      chains.push({ url: exchange.request.url, exchanges: [exchange], final: exchange });
    } else {
      current.exchanges.push(exchange);
      current.final = exchange;
    }
  }
  return chains;
}

export function chainAnswered(chain: HttpChain): boolean {
  return chain.final.response !== null;
}

/** The observations about the target itself, leaving out in-measurement controls (harmless SNI, control resolvers). */
export function targetObservations(observations: Observations) {
  return {
    dns: observations.dns.filter((query) => query.resolver.kind === 'system'),
    tcp: observations.tcp,
    tls: observations.tls.filter((handshake) => handshake.sni_role === 'target'),
    http: httpChains(observations.http),
    quic: observations.quic,
    throughput: observations.throughput.filter((run) => run.sni_role === 'target'),
  };
}

/** Observations that open a connection: every layer but DNS. */
function connectionCount(observations: Observations): number {
  return LAYERS.filter((layer) => layer !== 'dns').reduce(
    (count, layer) => count + observations[layer].length,
    0,
  );
}

export function hasObservations(observations: Observations): boolean {
  return connectionCount(observations) + observations.dns.length > 0;
}

/**
 * Whether the measurement got through to the target end to end: the deepest layer of the TCP stack it
 * tried (HTTP, else TLS, else TCP) succeeded at least once, or QUIC answered, or a transfer from the
 * target's own address (not a reflector's) delivered. A measurement that only resolves names counts
 * as reached when a name resolved.
 */
export function targetReached(observations: Observations): boolean {
  const target = targetObservations(observations);
  const stackReached =
    target.http.length > 0
      ? target.http.some(chainAnswered)
      : target.tls.length > 0
        ? target.tls.some((handshake) => handshake.failure === null)
        : target.tcp.some((connect) => connect.failure === null);
  const reflected = onReflector(observations.throughput);
  const transferred = target.throughput.some((run) => delivered(run) && !reflected(run));
  if (stackReached || target.quic.some(quicAnswered) || transferred) return true;
  return connectionCount(observations) === 0 && target.dns.some(resolved);
}

type TargetObservations = ReturnType<typeof targetObservations>;

/** One observation of the target: whether it got its answer, and the failure it recorded. */
export interface Outcome {
  succeeded: boolean;
  failure: Failure | null;
}

/**
 * The classifier's part of the layer registry: what success means at each layer, for the target's own
 * observations. The rules that count outcomes or look for a failing or cut-off layer read it.
 */
export const LAYER_OUTCOMES: { [K in Layer]: (target: TargetObservations) => Outcome[] } = {
  dns: (target) => target.dns.map((query) => ({ succeeded: resolved(query), failure: query.failure })),
  tcp: (target) =>
    target.tcp.map((connect) => ({ succeeded: connect.failure === null, failure: connect.failure })),
  tls: (target) =>
    target.tls.map((handshake) => ({ succeeded: handshake.failure === null, failure: handshake.failure })),
  http: (target) =>
    target.http.map((chain) => ({ succeeded: chainAnswered(chain), failure: chain.final.failure })),
  quic: (target) => target.quic.map((probe) => ({ succeeded: quicAnswered(probe), failure: probe.failure })),
  throughput: (target) =>
    target.throughput.map((run) => ({ succeeded: delivered(run), failure: run.failure })),
};

/** Whether a layer was measured and none of its observations succeeded. */
export function noneSucceeded(outcomes: readonly Outcome[]): boolean {
  return outcomes.length > 0 && !outcomes.some((outcome) => outcome.succeeded);
}

/** The first layer, in protocol order, where every observation of the target failed; null when none did. */
export function failingLayer(observations: Observations): Layer | null {
  const target = targetObservations(observations);
  return LAYERS.find((layer) => noneSucceeded(LAYER_OUTCOMES[layer](target))) ?? null;
}

/** How many observations of the target succeeded, of how many. */
export function countOutcomes(observations: Observations): { succeeded: number; total: number } {
  const target = targetObservations(observations);
  const outcomes = LAYERS.flatMap((layer) => LAYER_OUTCOMES[layer](target));
  return { succeeded: outcomes.filter((outcome) => outcome.succeeded).length, total: outcomes.length };
}
