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
import { runLimited } from './run-limited.ts';
import { runSuite } from './suite-runner.ts';

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
   * The round ran into its deadline and probes still running were cut (`interrupted`): a line too slow,
   * or a catalogue too large, for the schedule. A cut layer says nothing about the network.
   */
  hitDeadline: boolean;
}

export class UnknownTargetInCatalogueError extends Error {
  override readonly name = 'UnknownTargetInCatalogueError';
}

/**
 * One round: the controls and the services, `concurrency` suites at a time (controls started first),
 * all bounded by the round deadline. A service's probes run beside the controls; its transfers, and
 * its measurement, wait until every control is complete, so the transfers never share the link with
 * the controls' and every service measurement lists the ids of the controls that judge it
 * (`round.controls`) and reaches the spool after them. Controls strictly first made rounds on slow
 * lossy lines 40-45 s long, fewer runs than a lab window needs (fuzz world 41206124, docs/lab.md).
 * Each measurement goes to `onMeasurement` as it completes, so a crash mid-round loses at most the
 * suites still running.
 */
export async function runRound(options: RoundOptions): Promise<RoundReport> {
  const id = newPrefixedId('rnd');
  const startedAt = new Date().toISOString();
  const deadline = AbortSignal.timeout(options.schedule.round_deadline_s * 1000);
  const signal = AbortSignal.any([deadline, options.signal]);
  const { controls, services } = roundTargets(options.catalogue, options.network.country, options.only);
  const measurements: Measurement[] = [];
  const localErrors: LocalError[] = [];

  const measure = async (target: Target, roundControls?: Promise<Measurement['id'][]>) => {
    if (options.signal.aborted || options.stopStarting?.aborted) return;
    try {
      const honest = await runSuite(target, {
        ...options,
        round: id,
        ...(roundControls === undefined ? {} : { roundControls }),
        signal,
      });
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

  const controlsDone = Promise.withResolvers<Measurement['id'][]>();
  let controlsLeft = controls.length;
  const controlFinished = () => {
    controlsLeft -= 1;
    if (controlsLeft > 0) return;
    controlsDone.resolve(
      measurements
        .filter((measurement) => measurement.target.kind === 'control')
        .map((measurement) => measurement.id)
        .slice(0, MAX_ROUND_CONTROLS),
    );
  };
  if (controls.length === 0) controlsDone.resolve([]);
  // In input order: every control starts before any service takes a slot, so a service waiting for
  // the controls never holds the slot a control needs.
  const suites = [
    ...controls.map((target) => ({ target, control: true })),
    ...services.map((target) => ({ target, control: false })),
  ];
  await runLimited(suites, options.schedule.concurrency, async ({ target, control }) => {
    if (!control) return measure(target, controlsDone.promise);
    try {
      await measure(target);
    } finally {
      controlFinished();
    }
  });
  const durationS = Math.round((Date.now() - Date.parse(startedAt)) / 100) / 10;
  return { id, startedAt, measurements, localErrors, durationS, hitDeadline: deadline.aborted };
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
