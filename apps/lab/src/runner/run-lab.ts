import { setTimeout as delay } from 'node:timers/promises';
import { loadCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { type WorldPlacement, worldLoopbackPlacement } from '../userspace/loopback-addressing.ts';
import { issueWorldCertificates } from '../world/world-certificates.ts';
import { startWorldServices } from '../world/world-services.ts';
import { LAB_WINDOW_MS, type LabMode, runScenario, type ScenarioReport } from './run-scenario.ts';

export interface RunLabOptions {
  mode: LabMode;
  /** Scenarios run at once (each with its own stack; user space gives each its own censor slots). */
  parallel: number;
  logger: Logger;
  signal: AbortSignal;
  windowMs?: number;
  /** User space: the world's loopback placement (default 127.18) and the first censor slot (default 0). */
  world?: WorldPlacement;
  firstRegionSlot?: number;
  /** Progress for long runs: called as each scenario ends. */
  onScenarioFinished?: (report: ScenarioReport, finished: number, total: number) => void;
}

export interface LabReport {
  mode: LabMode;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  scenarios: ScenarioReport[];
  /**
   * Failed attempts that a re-run replaced (`--retries`), oldest first. A scenario listed here and
   * passing in `scenarios` is flaky: the report says so rather than hiding the first failure.
   */
  failedAttempts: ScenarioReport[];
}

/**
 * The report after re-running the failed scenarios of `first` (`retry`): each re-run scenario's newest
 * attempt replaces its failed one, which moves to `failedAttempts`; the order of `first` is kept.
 */
export function mergeRetry(first: LabReport, retry: LabReport): LabReport {
  const newest = new Map(retry.scenarios.map((report) => [report.scenario, report]));
  const replaced = first.scenarios.filter((report) => newest.has(report.scenario));
  const scenarios = first.scenarios.map((report) => newest.get(report.scenario) ?? report);
  return {
    mode: first.mode,
    startedAt: first.startedAt,
    finishedAt: retry.finishedAt,
    passed: retry.passed && scenarios.every((report) => report.passed),
    scenarios,
    failedAttempts: [...first.failedAttempts, ...replaced, ...retry.failedAttempts],
  };
}

/** How many of the first scenarios of a parallel run may start on the same window boundary. */
const SCENARIOS_STARTING_TOGETHER = 2;

/**
 * Runs scenarios, `parallel` at a time, longest first; the report keeps the given order. In user space
 * one world (loopback twins) serves every run: it is honest and stateless, and each run's censors sit
 * on their own region slots.
 */
export async function runLab(scenarios: readonly Scenario[], options: RunLabOptions): Promise<LabReport> {
  const startedAt = new Date().toISOString();
  const catalogue = await loadCatalogue({ kind: 'lab' });
  const certificates = await issueWorldCertificates(catalogue);
  const world =
    options.mode === 'userspace'
      ? await startWorldServices({
          catalogue,
          certificates,
          placement: options.world ?? worldLoopbackPlacement,
          logger: options.logger,
        })
      : null;
  const reports: ScenarioReport[] = new Array(scenarios.length);
  try {
    let next = 0;
    let slot = options.firstRegionSlot ?? 0;
    let finished = 0;
    // Longest first: the last scenario to start should be a short one, or the run waits on a tail.
    const order = scenarios
      .map((scenario, index) => ({ index, duration: scenario.duration }))
      .sort((a, b) => b.duration - a.duration)
      .map((entry) => entry.index);
    const worker = async (_: unknown, workerIndex: number) => {
      // The first scenarios would all start on one window boundary, every agent's process and first
      // round in the same seconds: on 2 cores that burst cost them their first window (blocked at
      // 98-123 s against 78 s alone). At most two start on a boundary; the rest a window later each.
      const stagger =
        Math.floor(workerIndex / SCENARIOS_STARTING_TOGETHER) * (options.windowMs ?? LAB_WINDOW_MS);
      if (stagger > 0) await delay(stagger, undefined, { signal: options.signal }).catch(() => undefined);
      for (let index = order[next++]; index !== undefined && !options.signal.aborted; index = order[next++]) {
        const scenario = scenarios[index];
        if (scenario === undefined) continue;
        const regionOffset = slot;
        slot += scenario.regions.length;
        const report = await runScenario(scenario, {
          mode: options.mode,
          certificates,
          regionOffset,
          world: options.world ?? worldLoopbackPlacement,
          logger: options.logger,
          signal: options.signal,
          ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }),
        });
        reports[index] = report;
        finished += 1;
        options.onScenarioFinished?.(report, finished, scenarios.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  } finally {
    await world?.close();
  }
  const done = reports.filter((report) => report !== undefined);
  return {
    mode: options.mode,
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: done.length === scenarios.length && done.every((report) => report.passed),
    scenarios: done,
    failedAttempts: [],
  };
}
