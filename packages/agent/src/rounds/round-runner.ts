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
 * One round: the controls first, so every target measurement can list the ids of the controls that
 * judge it (`round.controls`), then the services; `concurrency` suites at a time, all bounded by the
 * round deadline. Services probing beside the controls' transfers made rounds shorter but, on a
 * congested 2 Mbit/s line, lost lookups and handshakes: 13 of 53 service measurements `blocked` on a
 * clean line, against 0 of 51 in the same lab run (docs/lab.md). Each measurement goes to
 * `onMeasurement` as it completes, so a crash mid-round loses at most the suites still running.
 */
export async function runRound(options: RoundOptions): Promise<RoundReport> {
  const id = newPrefixedId('rnd');
  const startedAt = new Date().toISOString();
  const deadline = AbortSignal.timeout(options.schedule.round_deadline_s * 1000);
  const signal = AbortSignal.any([deadline, options.signal]);
  const { controls, services } = roundTargets(options.catalogue, options.network.country, options.only);
  const measurements: Measurement[] = [];
  const localErrors: LocalError[] = [];

  const measure = async (target: Target, controlIds: Measurement['id'][]) => {
    if (options.signal.aborted || options.stopStarting?.aborted) return;
    try {
      const honest = await runSuite(target, { ...options, round: { id, controls: controlIds }, signal });
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

  await runLimited(controls, options.schedule.concurrency, (target) => measure(target, []));
  const controlIds = measurements.map((measurement) => measurement.id).slice(0, MAX_ROUND_CONTROLS);
  await runLimited(services, options.schedule.concurrency, (target) => measure(target, controlIds));
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
