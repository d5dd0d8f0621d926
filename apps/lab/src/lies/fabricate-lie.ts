import {
  createTransferMeter,
  DEFAULT_SAMPLE_INTERVAL_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  NOT_STARTED,
  type TransferStats,
} from '@reachmap/probes';
import type { Failure, Measurement, Observations, TcpConnect, ThroughputRun } from '@reachmap/schema';
import { z } from 'zod';
import type { LieStatus } from './lie-status.ts';

/**
 * Lab only (`--lie`, refused without `--simulated`): replaces the honest observations of a measurement
 * with ones the classifier judges as `status`, keeping id, round, controls and every other field, so
 * the lie reaches the aggregator exactly like a real verdict would. The quorum of agreeing agents is
 * what the lab tests against it (infra/lab/scenarios/lying-agent.yaml).
 */
export function fabricateLie(honest: Measurement, status: LieStatus): Measurement {
  switch (status) {
    case 'blocked':
      return resetEveryConnect(honest);
    case 'throttled':
      return replaceTargetTransfers(honest, policedSamples(), null);
    case 'stalled':
      return replaceTargetTransfers(honest, stalledSamples(), 'generic_timeout_error');
  }
}

/** A reset arrives about one round trip after the SYN; the classifier's own test builders use 20 ms. */
const RESET_AFTER_S = 0.02;
/** Fresh connections per fabricated transfer suite: docs/techniques.md's "≥ 3 of 5 fresh connections". */
const FABRICATED_CONNECTIONS = 5;
const SAMPLE_INTERVAL_S = DEFAULT_SAMPLE_INTERVAL_MS / 1000;
const TICKS_PER_SECOND = Math.round(1 / SAMPLE_INTERVAL_S);
/** A capped transfer runs its whole time budget; the lab catalogue gives transfers 6 s. */
const CAPPED_TRANSFER_S = 6;
/** ~128 kbit/s: YouTube in RU 2024 (Meduza 2024-08-06), Twitter in RU 2021 at 130-150 kbit/s (IMC 2021). */
const POLICED_BPS = 128_000;
/** A policer's burst allowance, delivered in the first tick; the lab's policers allow 16 KiB too. */
const POLICER_BURST_BYTES = 16 * 1024;
/** Second-to-second wobble of a policed flow (a few percent), so the fabricated rate is not a ruler line. */
const POLICER_JITTER = [1, 0.98, 1.02, 0.99, 1.01, 1] as const;
/** RU's cap towards foreign hosting since June 2025 lets ~16 KB through (Cloudflare blog 2025-06-26). */
const STALL_AFTER_BYTES = 16 * 1024;

const IpAddress = z.union([z.ipv4(), z.ipv6()]);

type Samples = ThroughputRun['samples'];
type Endpoint = Pick<ThroughputRun, 'ip' | 'port' | 'sni'>;

/** The TCP endpoints the honest measurement dialled, each with when it was first dialled. */
function dialledEndpoints(observations: Observations): Array<Pick<TcpConnect, 'ip' | 'port' | 't0'>> {
  const fromUrls = observations.http.flatMap(({ request, t0 }) => {
    const url = new URL(request.url);
    const ip = url.hostname.replace(/^\[|\]$/g, '');
    if (!IpAddress.safeParse(ip).success) return [];
    return [{ ip, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), t0 }];
  });
  const all = [...observations.tcp, ...observations.tls, ...observations.throughput, ...fromUrls];
  const byAddress = new Map<string, Pick<TcpConnect, 'ip' | 'port' | 't0'>>();
  for (const { ip, port, t0 } of all) {
    const key = `${ip}|${port}`;
    const seen = byAddress.get(key);
    if (seen === undefined || t0 < seen.t0) byAddress.set(key, { ip, port, t0 });
  }
  return [...byAddress.values()];
}

/**
 * `blocked`: an RST answers every TCP connect (RU 2022, docs/techniques.md), so no handshake, request or
 * transfer gets further. The classifier's tcp rule calls that blocked/reset as long as the round's
 * foreign control connected, which the lie leaves to the real network. DNS and QUIC (UDP) stay honest.
 */
function resetEveryConnect(honest: Measurement): Measurement {
  const { observations } = honest;
  const reset: Failure = 'connection_reset';
  return {
    ...honest,
    observations: {
      ...observations,
      tcp: dialledEndpoints(observations).map(({ ip, port, t0 }) => ({
        ip,
        port,
        failure: reset,
        t0,
        t: t0 + RESET_AFTER_S,
      })),
      tls: [],
      http: observations.http
        .filter((exchange) => exchange.hop === 0)
        .map((exchange) => ({ ...exchange, response: null, failure: reset, t: exchange.t0 + RESET_AFTER_S })),
      throughput: observations.throughput.map((run) => ({
        ...run,
        ...NOT_STARTED,
        failure: reset,
        t: run.t0 + RESET_AFTER_S,
      })),
      network_events: [],
    },
  };
}

/** Where the fabricated transfers go: the honest target transfer's server, else the target's TLS or TCP endpoint. */
function transferEndpoint(observations: Observations): Endpoint | null {
  const run = observations.throughput.find((candidate) => candidate.sni_role === 'target');
  if (run !== undefined) return { ip: run.ip, port: run.port, sni: run.sni };
  const handshake = observations.tls.find((candidate) => candidate.sni_role === 'target');
  if (handshake !== undefined) return { ip: handshake.ip, port: handshake.port, sni: handshake.sni };
  const connect = observations.tcp.find((candidate) => candidate.failure === null) ?? observations.tcp[0];
  return connect === undefined ? null : { ip: connect.ip, port: connect.port, sni: null };
}

function latestObservationEnd(observations: Observations): number {
  const { dns, tcp, tls, http, quic, throughput } = observations;
  return Math.max(0, ...[...dns, ...tcp, ...tls, ...http, ...quic, ...throughput].map((item) => item.t));
}

/** Samples at every tick of the agent's sampling interval, from the cumulative bytes at ticks 1..n. */
function samplesFromTicks(cumulative: readonly number[]): Samples {
  return [
    [0, 0],
    ...cumulative.map((bytes, index): [number, number] => [(index + 1) / TICKS_PER_SECOND, bytes]),
  ];
}

/** A transfer under a policer, cut by its time budget: the burst, then a flat ~128 kbit/s. */
function policedSamples(): Samples {
  const cumulative: number[] = [];
  let bytes = POLICER_BURST_BYTES;
  for (let second = 0; second < CAPPED_TRANSFER_S; second++) {
    const perTick =
      ((POLICED_BPS / 8) * (POLICER_JITTER[second % POLICER_JITTER.length] ?? 1)) / TICKS_PER_SECOND;
    for (let tick = 0; tick < TICKS_PER_SECOND; tick++) {
      bytes += perTick;
      cumulative.push(Math.round(bytes));
    }
  }
  return samplesFromTicks(cumulative);
}

/**
 * 16 KiB in the first two ticks, then nothing until the probe gives up after its stall timeout: the
 * stall rule's "≥ 5 s of silence after 8-64 KB".
 */
function stalledSamples(): Samples {
  const silentTicks = Math.round(DEFAULT_STALL_TIMEOUT_MS / DEFAULT_SAMPLE_INTERVAL_MS);
  return samplesFromTicks([
    STALL_AFTER_BYTES / 2,
    ...new Array<number>(silentTicks + 1).fill(STALL_AFTER_BYTES),
  ]);
}

/**
 * A run's summary from the agent's own transfer meter, fed the samples' arrivals. Neither fabricated
 * transfer completes: the policed one is cut by its time budget, the stalled one gives up.
 */
function summarize(samples: Samples): TransferStats {
  const meter = createTransferMeter();
  let previous = 0;
  for (const [t, bytes] of samples) {
    meter.record(t, bytes - previous);
    previous = bytes;
  }
  return meter.finish(samples.at(-1)?.[0] ?? 0, false);
}

/**
 * `throttled` and `stalled`: the target's transfers become fresh connections shaped like the censor's,
 * one after another after everything honest; transfers with the harmless SNI stay as measured, so the
 * control still runs at the network's real speed.
 */
function replaceTargetTransfers(honest: Measurement, samples: Samples, failure: Failure | null): Measurement {
  const { observations } = honest;
  const endpoint = transferEndpoint(observations);
  if (endpoint === null) return honest;
  const summary = summarize(samples);
  const start = latestObservationEnd(observations);
  const fabricated: ThroughputRun[] = Array.from({ length: FABRICATED_CONNECTIONS }, (_, connection) => {
    const t0 = start + connection * summary.duration_s;
    return {
      direction: 'download',
      connection,
      ...endpoint,
      sni_role: 'target',
      samples,
      ...summary,
      failure,
      t0,
      t: t0 + summary.duration_s,
    };
  });
  const lastEnd = start + FABRICATED_CONNECTIONS * summary.duration_s;
  const endMs = Math.max(Date.parse(honest.end_time), Date.parse(honest.start_time) + lastEnd * 1000);
  return {
    ...honest,
    end_time: new Date(endMs).toISOString(),
    observations: {
      ...observations,
      throughput: [...observations.throughput.filter((run) => run.sni_role === 'control'), ...fabricated],
    },
  };
}
