import type {
  DnsQuery,
  HttpExchange,
  Layer,
  Measurement,
  Observations,
  QuicProbe,
  TcpConnect,
  ThroughputRun,
  TlsHandshake,
  VerdictStatus,
} from '@reachmap/schema';
import { chainAnswered, recordedAddresses, resolved, targetObservations } from './outcome.ts';

/**
 * Evidence sentences: short, human-readable, naming the observation (address, SNI, failure, timing)
 * so that a reader can find it in the raw measurement.
 */

const MAX_FAILURES_DESCRIBED = 5;

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function elapsed(t0: number, t: number): string {
  return `${Math.max(0, t - t0).toFixed(2)} s`;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function kilobits(bitsPerSecond: number): string {
  return `${Math.round(bitsPerSecond / 1000)} kbit/s`;
}

export function describeTcp(connect: TcpConnect): string {
  return `TCP to ${endpoint(connect.ip, connect.port)}: ${connect.failure ?? 'ok'} after ${elapsed(connect.t0, connect.t)}`;
}

export function describeTls(handshake: TlsHandshake): string {
  const outcome = handshake.failure ?? 'ok';
  return `TLS to ${endpoint(handshake.ip, handshake.port)} with SNI ${handshake.sni ?? '(none)'}: ${outcome} after ${elapsed(handshake.t0, handshake.t)}`;
}

/** A target-SNI handshake next to the harmless-SNI one on the same address (Censored Planet's comparison). */
export function describeSniPair(target: TlsHandshake, control: TlsHandshake): string {
  return `${describeTls(target)}; same IP with SNI ${control.sni ?? '(none)'}: ${control.failure ?? 'ok'}`;
}

const RESOLVER_NAMES = { system: 'System', udp: 'UDP', tcp: 'TCP', doh: 'DoH' } as const;

function resolverName(query: DnsQuery): string {
  return `${RESOLVER_NAMES[query.resolver.kind]} resolver ${query.resolver.address ?? ''}`.trimEnd();
}

export function describeDns(query: DnsQuery): string {
  const addresses = recordedAddresses(query);
  const outcome = query.failure ?? query.rcode ?? 'no answer';
  // A flagged answer (a bogon) shows both what came back and the flag.
  const answer =
    addresses.length === 0
      ? outcome
      : `${addresses.join(', ')}${query.failure === null ? '' : ` (${query.failure})`}`;
  return `${resolverName(query)}: ${query.hostname} ${query.query_type} → ${answer}`;
}

export function describeHttp(exchange: HttpExchange): string {
  const request = `HTTP ${exchange.request.method} ${exchange.request.url}`;
  const { response } = exchange;
  if (response === null) {
    return `${request}: ${exchange.failure ?? 'no response'} after ${elapsed(exchange.t0, exchange.t)}`;
  }
  const title = response.title === null ? 'no title' : `title "${response.title}"`;
  return `${request}: ${response.status}, ${title}, ${response.body_length} bytes`;
}

export function describeQuic(probe: QuicProbe): string {
  const outcome = probe.response ?? probe.failure ?? 'no answer';
  return `QUIC Initial to ${endpoint(probe.ip, probe.port)} with SNI ${probe.sni}: ${outcome} after ${elapsed(probe.t0, probe.t)}`;
}

export function describeRun(run: ThroughputRun): string {
  const stall =
    run.bytes_before_stall === null
      ? ''
      : `, longest silence ${run.longest_stall_s.toFixed(1)} s after ${kilobytes(run.bytes_before_stall)}`;
  return (
    `${run.direction} on connection ${run.connection} to ${endpoint(run.ip, run.port)} with SNI ${run.sni ?? '(none)'}: ` +
    `${kilobytes(run.bytes)} in ${run.duration_s.toFixed(1)} s, ${kilobits(run.goodput_bps)}${stall}`
  );
}

export function describeControl(control: Measurement, status: VerdictStatus): string {
  const input = control.target.input === null ? '' : ` (${control.target.input})`;
  return `${control.target.control ?? 'round'} control ${control.target.id}${input}: ${status}`;
}

type TargetObservations = ReturnType<typeof targetObservations>;

/**
 * The classifier's part of the layer registry (packages/schema/src/layers.ts): for each layer, the
 * target's observations that show where it broke, as evidence sentences.
 */
export const FAILED_OBSERVATIONS: { [K in Layer]: (target: TargetObservations) => string[] } = {
  dns: (target) => target.dns.filter((query) => !resolved(query)).map(describeDns),
  tcp: (target) => target.tcp.filter((connect) => connect.failure !== null).map(describeTcp),
  tls: (target) => target.tls.filter((handshake) => handshake.failure !== null).map(describeTls),
  http: (target) =>
    target.http.filter((chain) => !chainAnswered(chain)).map((chain) => describeHttp(chain.final)),
  quic: (target) => target.quic.filter((probe) => probe.response === null).map(describeQuic),
  throughput: (target) => target.throughput.map(describeRun),
};

/** The target's failed observations at one layer, the ones that show where it broke. */
export function describeFailures(observations: Observations, layer: Layer | null): string[] {
  const failed = layer === null ? [] : FAILED_OBSERVATIONS[layer](targetObservations(observations));
  const hidden = failed.length - MAX_FAILURES_DESCRIBED;
  return hidden > 0 ? [...failed.slice(0, MAX_FAILURES_DESCRIBED), `… and ${hidden} more like them`] : failed;
}
