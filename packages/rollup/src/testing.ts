import { type AgentId, type Method, newMeasurementId, type VerdictStatus } from '@reachmap/schema';
import type { OutageSignals } from './outage-signals.ts';
import type { WindowRun } from './window-run.ts';
import { summarizeWindow, type WindowSummary } from './window-summary.ts';

/** Fixtures for tests of the rollup and of its callers: lab-sized windows built from agents' runs. */

export const LAB_WINDOW_MS = 60_000;
// A fixed date is safe here: these windows feed pure functions only (no Redis, no "now"); callers that
// store them must move them to their own clock.
const LAB_EPOCH = Date.parse('2026-11-23T10:00:00.000Z');

export function labAgentId(n: number): AgentId {
  return `agt_lab${String(n).padStart(16, '0')}`;
}

/** A run's status, optionally with its method: `'blocked'`, `'blocked:dns-mismatch'`. */
export type RunSpec = VerdictStatus | `${VerdictStatus}:${Method}`;

/** One agent's runs in the window, with its controls and lab flag (both default to true). */
export type AgentSpec = RunSpec[] | { runs: RunSpec[]; controlsHealthy?: boolean; simulated?: boolean };

const DEFAULT_METHOD: Partial<Record<VerdictStatus, Method>> = {
  blocked: 'sni-reset',
  throttled: 'rate-cap',
  stalled: 'stall',
  down: 'outage',
};

export function labWindowSpan(
  index: number,
  windowMs = LAB_WINDOW_MS,
): { window_start: string; window_end: string } {
  return {
    window_start: new Date(LAB_EPOCH + index * windowMs).toISOString(),
    window_end: new Date(LAB_EPOCH + (index + 1) * windowMs).toISOString(),
  };
}

/** The runs of window number `index` (60 s windows from 2026-11-23T10:00Z): agent i made `agents[i]`. */
export function labRuns(options: { index: number; agents: AgentSpec[] }): WindowRun[] {
  const span = labWindowSpan(options.index);
  const runs: WindowRun[] = [];
  options.agents.forEach((spec, agentIndex) => {
    const agent = Array.isArray(spec) ? { runs: spec } : spec;
    agent.runs.forEach((run, runIndex) => {
      const [status, method] = run.split(':') as [VerdictStatus, Method | undefined];
      const time = Date.parse(span.window_start) + 1_000 * (runIndex + 1) + agentIndex;
      runs.push({
        agent_id: labAgentId(agentIndex + 1),
        verdict: {
          measurement_id: newMeasurementId(time),
          status,
          method: method ?? DEFAULT_METHOD[status] ?? null,
        },
        controls_healthy: agent.controlsHealthy ?? true,
        simulated: agent.simulated ?? true,
      });
    });
  });
  return runs;
}

/** The summary of window number `index` (60 s windows from 2026-11-23T10:00Z) in which agent i made `agents[i]`. */
export function labWindow(options: {
  index: number;
  agents: AgentSpec[];
  scope?: string;
  target?: string;
}): WindowSummary {
  return summarizeWindow(
    {
      scope: options.scope ?? 'RU-MOW',
      target: options.target ?? 'whatsapp',
      ...labWindowSpan(options.index),
    },
    labRuns(options),
  );
}

/** Outage signals of window `index`; by default three agents heard of a baseline of three, controls fine. */
export function labOutageSignals(options: {
  index: number;
  scope?: string;
  agentsHeard?: number;
  baseline?: number | null;
  controlAgents?: number;
  healthyControlAgents?: number;
}): OutageSignals {
  const controlAgents = options.controlAgents ?? 3;
  const healthy = options.healthyControlAgents ?? controlAgents;
  const runs = controlAgents * 4;
  const runsFailed = (controlAgents - healthy) * 4;
  const span = labWindowSpan(options.index);
  const witnesses = Array.from({ length: Math.min(runsFailed, 50) }, (_, i) =>
    newMeasurementId(Date.parse(span.window_start) + i),
  );
  return {
    scope: options.scope ?? 'RU-MOW',
    ...span,
    heartbeats: {
      agents_heard: options.agentsHeard ?? 3,
      baseline: options.baseline === undefined ? 3 : options.baseline,
    },
    controls: { agents: controlAgents, agents_healthy: healthy, runs, runs_failed: runsFailed },
    witnesses,
    all_simulated: true,
  };
}

/** Deterministic PRNG (mulberry32), so a sampled test draws the same values on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
