import type { ThroughputRun } from '@reachmap/schema';
import { describeRun, kilobits } from '../evidence.ts';
import {
  THROTTLE_LOSSY_MAX_CV,
  THROTTLE_MAX_CONTROL_RATIO,
  THROTTLE_MAX_CV,
  THROTTLE_MAX_GOODPUT_BPS,
  THROTTLE_MIN_CONNECTIONS,
  THROTTLE_MIN_SECONDS,
  THROTTLE_SAME_RATE_TOLERANCE,
} from '../thresholds.ts';
import { coefficientOfVariation, median, perSecondGoodput } from '../throughput-stats.ts';
import type { Finding, Rule } from './rule.ts';
import { type DirectionTransfers, judgeEachDirection } from './transfers.ts';

/**
 * Coefficient of variation of a run's steady 1-s goodput; null when the run is too short to tell. The
 * first second is left out: TCP slow start and a policer's burst allowance make it differ from the rest
 * even under a perfectly flat cap (a 16 KiB burst doubles the first second at 128 kbit/s).
 */
function variation(run: ThroughputRun): number | null {
  const steady = perSecondGoodput(run.samples).slice(1);
  return steady.length < THROTTLE_MIN_SECONDS ? null : coefficientOfVariation(steady);
}

function swingsLessThan(run: ThroughputRun, maxCv: number): boolean {
  const cv = variation(run);
  return cv !== null && cv < maxCv;
}

function isFlat(run: ThroughputRun): boolean {
  return swingsLessThan(run, THROTTLE_MAX_CV);
}

/**
 * The slow connections shaped like a rate cap: flat ones, or, when too few are flat, the ones that run
 * at one shared rate with no more swing than a lossy line gives a policed flow (thresholds.ts).
 */
function capShaped(slow: readonly ThroughputRun[]): ThroughputRun[] {
  const flat = slow.filter(isFlat);
  if (flat.length >= THROTTLE_MIN_CONNECTIONS) return flat;
  const rate = median(slow.map((run) => run.goodput_bps)) ?? 0;
  const sameRate = slow.filter(
    (run) =>
      swingsLessThan(run, THROTTLE_LOSSY_MAX_CV) &&
      Math.abs(run.goodput_bps - rate) <= THROTTLE_SAME_RATE_TOLERANCE * rate,
  );
  return sameRate.length >= THROTTLE_MIN_CONNECTIONS ? sameRate : flat;
}

function describeWithVariation(run: ThroughputRun): string {
  const cv = variation(run);
  return `${describeRun(run)}, 1-s goodput CV ${cv === null ? 'n/a' : cv.toFixed(2)}`;
}

function judgeThrottling({ direction, runs, reference }: DirectionTransfers): Finding | null {
  const slow = runs.filter((run) => run.goodput_bps < THROTTLE_MAX_GOODPUT_BPS);
  if (slow.length < THROTTLE_MIN_CONNECTIONS) return null;
  const flat = capShaped(slow);
  const summary = `${slow.length} of ${runs.length} ${direction} connections below ${kilobits(THROTTLE_MAX_GOODPUT_BPS)}`;
  if (flat.length < THROTTLE_MIN_CONNECTIONS) {
    return {
      status: 'ok',
      layer: null,
      method: null,
      evidence: [
        summary,
        ...slow.slice(0, 5).map(describeWithVariation),
        `Goodput varies second to second (CV ≥ ${THROTTLE_MAX_CV}, and not one rate on every connection): congestion, not a rate cap`,
      ],
      support: { agreeing: runs.length - flat.length, considered: runs.length, corroborating: 0 },
    };
  }
  const controlGoodput = median(reference?.runs.map((run) => run.goodput_bps) ?? []);
  if (reference === null || controlGoodput === null) {
    return {
      status: 'insufficient',
      layer: 'throughput',
      method: null,
      evidence: [
        summary,
        ...flat.slice(0, 5).map(describeWithVariation),
        `No control ${direction} to tell a rate cap from a slow network`,
      ],
      support: null,
    };
  }
  const ceiling = Math.min(THROTTLE_MAX_GOODPUT_BPS, THROTTLE_MAX_CONTROL_RATIO * controlGoodput);
  const capped = flat.filter((run) => run.goodput_bps < ceiling);
  const control = `Control (${reference.source}): median ${kilobits(controlGoodput)} over ${reference.runs.length} ${direction}s`;
  const support = { considered: runs.length, corroborating: reference.runs.length };
  if (capped.length < THROTTLE_MIN_CONNECTIONS) {
    return {
      status: 'ok',
      layer: null,
      method: null,
      evidence: [summary, control, 'The control is slow too: the network is slow, not the target capped'],
      support: { ...support, agreeing: runs.length - capped.length },
    };
  }
  return {
    status: 'throttled',
    layer: 'throughput',
    method: 'rate-cap',
    evidence: [
      `${capped.length} of ${runs.length} ${direction} connections ${capped.every(isFlat) ? 'flat' : 'at one rate'} below ${kilobits(ceiling)}, the lower of 1 Mbit/s and a tenth of the control`,
      ...capped.slice(0, 5).map(describeWithVariation),
      control,
    ],
    support: { ...support, agreeing: capped.length },
  };
}

/**
 * Throttled: on enough connections the goodput sits under min(1 Mbit/s, 0.1 × control) with flat 1-s
 * samples, or at one shared rate with a lossy line's swing. A policer gives a flat cap (Twitter in RU
 * 2021 at 130-150 kbit/s, Censored Planet IMC 2021); congestion gives variance, and a slow control means
 * a slow network. Both of those are `ok`.
 */
export const throttleRule: Rule = (context) =>
  judgeEachDirection(context, judgeThrottling, (finding) => finding.status !== 'ok');
