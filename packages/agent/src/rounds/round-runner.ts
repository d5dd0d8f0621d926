import {
  type AgentId,
  type AgentNetwork,
  type AgentSchedule,
  type Measurement,
  type MeasurementSource,
  MeasurementV1,
  newPrefixedId,
  type RoundId,
} from '@reachmap/schema';
import { type Catalogue, judgesOf, type Target } from '@reachmap/targets';
import type { AgentExtensions } from '../runtime/agent-extensions.ts';
import { runSuite } from './suite-runner.ts';
import { SuiteSlots } from './suite-slots.ts';

/** The schema allows 50 control ids per measurement; a catalogue with more keeps the first 50. */
const MAX_ROUND_CONTROLS = 50;

export interface RoundOptions extends AgentExtensions {
  catalogue: Catalogue;
  catalogueVersion: string;
  agent: { id: AgentId; software: { name: string; version: string } };
  network: AgentNetwork;
  source: Extract<MeasurementSource, 'agent' | 'simulated'>;
  schedule: Pick<AgentSchedule, 'round_deadline_s' | 'concurrency'>;
  /** Aborts probes still running: the agent's shutdown after its grace period. */
  signal: AbortSignal;
  /** Starts no further suite once aborted (SIGTERM); running ones go on until `signal`. */
  stopStarting?: AbortSignal;
  /** Called with each measurement as soon as it is complete (the agent spools it there). */
  onMeasurement: (measurement: Measurement) => Promise<void>;
  /** Measure only this target (with the controls that judge it). */
  only?: string;
  ca?: string[];
  /** Shared by the agent's rounds, which may overlap; absent, the round has slots of its own. */
  slots?: SuiteSlots;
}

export interface LocalError {
  target: string;
  message: string;
}

export interface RoundReport {
  id: RoundId;
  startedAt: string;
  measurements: Measurement[];
  /** Problems of this agent, not of the network: a crashing probe, an invalid measurement, a full disk. */
  localErrors: LocalError[];
  durationS: number;
  /**
   * A suite ran into its deadline and probes still running were cut (`interrupted`): a line too slow,
   * or a catalogue too large, for the schedule. A cut layer says nothing about the network.
   */
  hitDeadline: boolean;
  /** Services whose suite of an earlier round still ran: measured once it ended, in this round. */
  deferred: string[];
  /** Services not measured in this round: an earlier suite still ran and another already waited. */
  skipped: string[];
}

export class UnknownTargetInCatalogueError extends Error {
  override readonly name = 'UnknownTargetInCatalogueError';
}

/**
 * One round: the controls first, so every target measurement can list the ids of the controls that
 * judge it (`round.controls`), then the services; `concurrency` suites at a time (shared with rounds
 * still running, through `slots`), all bounded by the round deadline. Each measurement goes to
 * `onMeasurement` as it completes, so a crash mid-round loses at most the suites still running.
 */
export async function runRound(options: RoundOptions): Promise<RoundReport> {
  return startRound(options).report;
}

export interface StartedRound {
  /**
   * Resolves once the controls are done and every service's suite has started or been deferred or
   * skipped: from then on the next round may start (the agent's runtime waits for this, not `report`).
   */
  placed: Promise<void>;
  /** Resolves when every suite of the round, deferred ones included, has ended. */
  report: Promise<RoundReport>;
}

/**
 * Starts a round (see `runRound`). A service whose suite of an earlier round still runs is deferred: it
 * runs as soon as that suite ends, with a deadline of its own counted from its start, so a deferred
 * suite is not cut by a deadline that ran while it waited. Throws (synchronously) for an unknown `only`.
 */
export function startRound(options: RoundOptions): StartedRound {
  const id = newPrefixedId('rnd');
  const startedAt = new Date().toISOString();
  const deadlineMs = options.schedule.round_deadline_s * 1000;
  const roundDeadline = AbortSignal.timeout(deadlineMs);
  const { controls, services } = roundTargets(options.catalogue, options.network.country, options.only);
  const slots = options.slots ?? new SuiteSlots(options.schedule.concurrency);
  const measurements: Measurement[] = [];
  const localErrors: LocalError[] = [];
  const deferred: string[] = [];
  const skipped: string[] = [];
  let hitDeadline = false;
  const stopped = () => options.signal.aborted || options.stopStarting?.aborted === true;

  const measure = async (target: Target, controlIds: Measurement['id'][], deadline: AbortSignal) => {
    if (stopped()) return;
    const signal = AbortSignal.any([deadline, options.signal]);
    try {
      const honest = await runSuite(target, { ...options, round: { id, controls: controlIds }, signal });
      if (deadline.aborted) hitDeadline = true;
      const measurement = options.reportMeasurement?.(honest) ?? honest;
      const valid = MeasurementV1.safeParse(measurement);
      if (!valid.success) {
        // Spooled anyway: the collector files it under rejected/ with its reasons, where the operator looks.
        localErrors.push({
          target: target.id,
          message: `measurement fails schema v1: ${valid.error.message}`,
        });
      }
      await options.onMeasurement(measurement);
      measurements.push(measurement);
    } catch (error) {
      localErrors.push({ target: target.id, message: (error as Error).message });
    }
  };

  /** Places each target's suite in turn, so the round holds at most `concurrency` slots as it goes. */
  const placeAll = async (targets: Target[], controlIds: Measurement['id'][]): Promise<Promise<void>[]> => {
    const suites: Promise<void>[] = [];
    for (const target of targets) {
      if (stopped()) break;
      const placement = await slots.place(target.id, stopped);
      if (placement.kind === 'skipped') {
        skipped.push(target.id);
      } else if (placement.kind === 'now') {
        suites.push(measure(target, controlIds, roundDeadline).finally(placement.release));
      } else {
        deferred.push(target.id);
        suites.push(
          placement.ready.then(async (release) => {
            if (release === null) return;
            await measure(target, controlIds, AbortSignal.timeout(deadlineMs)).finally(release);
          }),
        );
      }
    }
    return suites;
  };

  let markPlaced: () => void = () => {};
  const placed = new Promise<void>((resolve) => {
    markPlaced = resolve;
  });
  const report = (async (): Promise<RoundReport> => {
    try {
      await Promise.all(await placeAll(controls, []));
      const controlIds = measurements.map((measurement) => measurement.id).slice(0, MAX_ROUND_CONTROLS);
      const suites = await placeAll(services, controlIds);
      markPlaced();
      await Promise.all(suites);
    } finally {
      markPlaced();
    }
    const durationS = Math.round((Date.now() - Date.parse(startedAt)) / 100) / 10;
    return { id, startedAt, measurements, localErrors, durationS, hitDeadline, deferred, skipped };
  })();
  return { placed, report };
}

/**
 * What a round measures: every service, and the controls that can judge this agent (foreign ones and
 * the domestic ones of its own country). With `only`, that target and its own judges.
 */
export function roundTargets(
  catalogue: Catalogue,
  country: string,
  only?: string,
): { controls: Target[]; services: Target[] } {
  if (only !== undefined) {
    const target = catalogue.targets.find((candidate) => candidate.id === only);
    if (target === undefined) {
      const known = catalogue.targets.map((candidate) => candidate.id).join(', ');
      throw new UnknownTargetInCatalogueError(
        `no target "${only}" in catalogue ${catalogue.version}; known: ${known}`,
      );
    }
    if (target.kind === 'control') return { controls: [target], services: [] };
    const judges = judgesOf(catalogue, target.id, country);
    const controls = [...judges.domestic, ...judges.foreign, ...judges.sameHosting];
    return {
      controls: controls.filter((control, index) => controls.indexOf(control) === index),
      services: [target],
    };
  }
  return {
    controls: catalogue.targets.filter(
      (target) => target.kind === 'control' && (target.control === 'foreign' || target.country === country),
    ),
    services: catalogue.targets.filter((target) => target.kind === 'service'),
  };
}
