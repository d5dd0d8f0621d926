import type { ThroughputRun } from '@reachmap/schema';
import type { Finding, RuleContext } from './rule.ts';

/** The transfers the target's transfers are compared with, and where they came from. */
export interface TransferReference {
  runs: ThroughputRun[];
  source: 'same IP, harmless SNI' | 'round controls';
}

/** The target's transfers in one direction, with their reference (null when none was measured). */
export interface DirectionTransfers {
  direction: ThroughputRun['direction'];
  runs: ThroughputRun[];
  reference: TransferReference | null;
}

/**
 * The control transfers for one direction: preferably the same IP with a harmless SNI in the same
 * measurement (Censored Planet's method: same server, same path, only the name differs), otherwise
 * the transfers of the round's control measurements.
 */
function referenceFor({ measurement, controls }: RuleContext, direction: DirectionTransfers['direction']) {
  const sameIp = measurement.observations.throughput.filter(
    (run) => run.sni_role === 'control' && run.direction === direction,
  );
  if (sameIp.length > 0) return { runs: sameIp, source: 'same IP, harmless SNI' } as const;
  const round = controls.judged.flatMap((control) =>
    control.measurement.observations.throughput.filter((run) => run.direction === direction),
  );
  return round.length > 0 ? ({ runs: round, source: 'round controls' } as const) : null;
}

/**
 * Applies a throughput judgement to each direction the target measured, downloads first (where
 * censors have been seen to act), and keeps the first finding that `decisive` accepts, else the first.
 */
export function judgeEachDirection(
  context: RuleContext,
  judge: (transfers: DirectionTransfers) => Finding | null,
  decisive: (finding: Finding) => boolean,
): Finding | null {
  const target = context.measurement.observations.throughput.filter((run) => run.sni_role === 'target');
  const findings = (['download', 'upload'] as const).flatMap((direction) => {
    const runs = target.filter((run) => run.direction === direction);
    if (runs.length === 0) return [];
    return judge({ direction, runs, reference: referenceFor(context, direction) }) ?? [];
  });
  return findings.find(decisive) ?? findings[0] ?? null;
}
