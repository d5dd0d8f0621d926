import type { ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import { resolveRules } from '../censor/resolve-rules.ts';
import { agentLies } from '../scenario/agent-lies.ts';
import type { CensorRule } from '../scenario/censor-rule.ts';
import { countryOfRegion } from '../scenario/parse-scenario.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { watchLines } from '../topology/child-lines.ts';
import { buildTopology, type Topology } from '../topology/topology.ts';
import type { WorldPlacement } from '../userspace/loopback-addressing.ts';
import { labEndpoints, startUserSpaceCensor, type UserSpaceCensor } from '../userspace/user-space-censor.ts';
import type { WorldCertificates } from '../world/world-certificates.ts';
import { enrolLabAgent, type LabAgent } from './lab-agent.ts';
import { type LabStack, startLabStack } from './lab-stack.ts';
import { observeStore } from './observe-store.ts';
import { schedulePhases } from './phase-schedule.ts';
import {
  type ConfusionTable,
  confusionTable,
  type ExpectationScore,
  type ObservedTimeline,
  scoreExpectation,
} from './score-expectations.ts';
import { claimScratchDir } from './scratch-dir.ts';

const WORLD_MAIN = fileURLToPath(new URL('../world/world-main.ts', import.meta.url));
/** The lab's evaluation window (docs/state-machine.md: ~60 s in the lab). */
export const LAB_WINDOW_MS = 60_000;
const POLL_EVERY_MS = 2_000;
const WORLD_READY_TIMEOUT_MS = 30_000;

export type LabMode = 'kernel' | 'userspace';

export interface RunScenarioOptions {
  mode: LabMode;
  /** Lab CA and world certificate; user space also needs the world already running on loopback. */
  certificates: WorldCertificates;
  /** User space: this run's regions use censor slots `regionOffset + r`, so parallel runs do not clash. */
  regionOffset: number;
  /** User space: where the censors reach the world (default 127.18, `worldLoopbackPlacement`). */
  world?: WorldPlacement;
  windowMs?: number;
  logger: Logger;
  /** Aborting ends the run early (Ctrl-C); everything is still torn down. */
  signal: AbortSignal;
}

export interface ScenarioReport {
  scenario: string;
  mode: LabMode;
  /** The run's network (`rl<runId>` namespaces, or user-space censor slots); null if it never came up. */
  network: string | null;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  /** Set when the run itself failed (the stack did not start, it was interrupted, …). */
  error: string | null;
  /** What this run could not apply as written (e.g. a delay on a kernel without sch_netem). */
  notes: string[];
  scores: ExpectationScore[];
  confusion: ConfusionTable;
  timeline: ObservedTimeline;
  /**
   * The longest the stack's aggregator left a due window unjudged (its evaluation lag, sampled at
   * every poll): a few seconds normally; tens of seconds mean the stack fell behind its agents.
   */
  longestEvaluationLagMs: number;
}

/** Per-scenario network: how agents are started and censors switched in this mode. */
interface LabNetwork {
  /** Names the run's network in reports: the kernel lab's `rl<runId>` prefix, or user-space censor slots. */
  name: string;
  collectorHost: string;
  spawnAgent:
    | ((region: number, agent: number) => (argv: readonly string[], env: NodeJS.ProcessEnv) => ChildProcess)
    | null;
  applyCensor(region: number, rules: readonly CensorRule[]): Promise<void>;
  /** Rule parts this network could not apply, as of now. */
  omitted(): readonly string[];
  close(): Promise<void>;
}

/**
 * Runs one scenario end to end: network and censors, the real collector and aggregator, real agents,
 * phases at their times; then scores every expectation from the store's states and events.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioReport> {
  const logger = options.logger.child({ scenario: scenario.name });
  const catalogue = await loadCatalogue({ kind: 'lab' });
  const startedAt = new Date();
  const cleanups: Array<() => Promise<void>> = [];
  const timers: NodeJS.Timeout[] = [];
  let timeline: ObservedTimeline = { states: [], events: [] };
  let error: string | null = null;
  let networkName: string | null = null;
  let notes: string[] = [];
  let longestEvaluationLagMs = 0;
  try {
    const network =
      options.mode === 'kernel'
        ? await kernelNetwork(scenario, catalogue, options.certificates, logger)
        : await userSpaceNetwork(scenario, catalogue, options.regionOffset, options.world);
    networkName = network.name;
    const windowMs = options.windowMs ?? LAB_WINDOW_MS;
    cleanups.push(() => network.close());
    const stack: LabStack = await startLabStack({
      host: network.collectorHost,
      intervalMs: scenario.interval,
      windowMs,
      logger,
    });
    cleanups.push(() => stack.close());

    // Agents enrol side by side before the clock starts: enrolment is an operator's one-time step, and
    // inside the first window it cost up to 6 s of it when six scenarios started on 2 cores.
    const enrolling = scenario.regions.flatMap((region, r) =>
      Array.from({ length: region.agents }, async (_, a) => {
        const label = `${scenario.name}-${region.id}-AS${region.asn}-${a}`;
        return enrolLabAgent({
          label,
          collectorUrl: stack.collectorUrl,
          token: await stack.createToken(label),
          network: { country: countryOfRegion(region.id), region: region.id, asn: region.asn },
          caPem: options.certificates.caPem,
          lies: agentLies(region.censor, a),
          userSpace: options.mode === 'userspace' ? { region: options.regionOffset + r, agent: a } : null,
          ...(network.spawnAgent === null ? {} : { spawnAgent: network.spawnAgent(r, a) }),
          logger,
        });
      }),
    );
    const enrolmentStarted = Date.now();
    const enrolled = await Promise.allSettled(enrolling);
    const ready = enrolled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = enrolled.find((result) => result.status === 'rejected');
    if (refused !== undefined) {
      await Promise.all(ready.map((agent) => agent.discard()));
      throw refused.reason;
    }
    const enrolmentMs = Date.now() - enrolmentStarted;

    // Windows are aligned to the epoch (docs/state-machine.md); starting on a boundary makes the first
    // window a full one, so time to detect measures the pipeline rather than where the clock stood.
    const begin = Date.now() + (windowMs - (Date.now() % windowMs));
    await sleep(begin - Date.now(), options.signal);
    // `begin` is the scenario's start: phases, report times and the duration count from it.
    const agents: LabAgent[] = [];
    cleanups.push(async () => void (await Promise.all(agents.map((agent) => agent.stop()))));
    if (options.signal.aborted) await Promise.all(ready.map((agent) => agent.discard()));
    else for (const agent of ready) agents.push(agent.start());
    logger.info(
      { agents: agents.length, mode: options.mode, enrolmentMs, startMs: Date.now() - begin },
      'scenario started',
    );
    for (const { phase, regions, delayMs } of schedulePhases(scenario, begin, Date.now())) {
      timers.push(
        setTimeout(() => {
          Promise.all(regions.map((index) => network.applyCensor(index, phase.censor))).then(
            // How long after its time the phase took hold: the lab's own delay, not the pipeline's.
            () =>
              logger.info(
                { region: phase.region, asn: phase.asn, at: phase.at, lateMs: Date.now() - begin - phase.at },
                'phase applied',
              ),
            (failure: Error) => logger.error({ err: failure.message }, 'phase failed'),
          );
        }, delayMs),
      );
    }
    const observer = observeStore({
      redis: stack.redis,
      store: stack.store,
      scopes: scopesOf(scenario),
      targets: targetsOf(scenario, catalogue),
      startedAt: begin,
      everyMs: POLL_EVERY_MS,
      evaluationLagMs: () => stack.evaluationLagMs(),
      onError: (failure) => logger.warn({ err: failure.message }, 'reading the store failed'),
    });
    cleanups.push(async () => observer.stop());
    await sleep(Math.max(0, begin + scenario.duration - Date.now()), options.signal);
    await observer.poll();
    timeline = observer.timeline();
    longestEvaluationLagMs = observer.longestEvaluationLagMs();
    notes = [...network.omitted()];
    if (options.signal.aborted) error = 'interrupted';
  } catch (failure) {
    error = (failure as Error).message;
    logger.error({ err: error }, 'scenario run failed');
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (failure) {
        logger.warn({ err: (failure as Error).message }, 'teardown step failed');
      }
    }
  }
  const scores = scenario.expect.map((expectation, index) =>
    scoreExpectation(expectation, index, timeline, scenario.duration, scenario.regions),
  );
  return {
    scenario: scenario.name,
    mode: options.mode,
    network: networkName,
    startedAt: startedAt.toISOString(),
    durationMs: scenario.duration,
    passed: error === null && scores.every((score) => score.pass),
    error,
    notes,
    scores,
    confusion: confusionTable(scenario.expect, timeline, scenario.duration),
    timeline,
    longestEvaluationLagMs,
  };
}

/** Every scope the scenario's regions define: regions, their ASNs and their countries. */
export function scopesOf(scenario: Scenario): string[] {
  const scopes = new Set<string>();
  for (const region of scenario.regions) {
    scopes.add(region.id);
    scopes.add(`AS${region.asn}`);
    scopes.add(countryOfRegion(region.id));
  }
  return [...scopes];
}

function targetsOf(scenario: Scenario, catalogue: Catalogue): string[] {
  const targets = new Set(catalogue.targets.filter((t) => t.kind === 'service').map((t) => t.id));
  for (const expectation of scenario.expect)
    if (expectation.target !== undefined) targets.add(expectation.target);
  return [...targets];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function userSpaceNetwork(
  scenario: Scenario,
  catalogue: Catalogue,
  offset: number,
  world: WorldPlacement | undefined,
): Promise<LabNetwork> {
  const endpoints = labEndpoints(catalogue);
  const censors: UserSpaceCensor[] = [];
  try {
    for (const [r, region] of scenario.regions.entries()) {
      censors.push(
        await startUserSpaceCensor({
          region: offset + r,
          agents: region.agents,
          rules: resolveRules(region.censor, catalogue),
          catalogue,
          endpoints,
          ...(world === undefined ? {} : { world }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(censors.map((censor) => censor.close()));
    throw error;
  }
  const last = offset + scenario.regions.length - 1;
  return {
    name: `user-space censors 127.${100 + offset}-127.${100 + last}`,
    collectorHost: '127.0.0.1',
    spawnAgent: null,
    async applyCensor(region, rules) {
      await censors[region]?.setRules(resolveRules(rules, catalogue));
    },
    // User-space approximations are documented per action (docs/lab.md), not per run.
    omitted: () => [],
    async close() {
      await Promise.all(censors.map((censor) => censor.close()));
    },
  };
}

async function kernelNetwork(
  scenario: Scenario,
  catalogue: Catalogue,
  certificates: WorldCertificates,
  logger: Logger,
): Promise<LabNetwork> {
  const topology: Topology = await buildTopology(scenario, catalogue);
  const configDir = await claimScratchDir('reachmap-lab-world-config-');
  try {
    const configFile = join(configDir, 'world.json');
    await writeFile(configFile, JSON.stringify(certificates), { mode: 0o600 });
    const world = topology.runInNamespace(topology.world, [process.execPath, WORLD_MAIN, configFile]);
    world.stderr?.on('data', (chunk: Buffer) =>
      logger.warn({ output: chunk.toString().trim() }, 'world stderr'),
    );
    await watchLines(world, 'world services').waitFor('ready', 'not ready', WORLD_READY_TIMEOUT_MS);
    if (topology.hostIp === null) throw new Error('the kernel lab needs a host link for the collector');
    return {
      name: `rl${topology.runId}`,
      collectorHost: topology.hostIp,
      spawnAgent: (r, a) => (argv, env) => {
        const namespace = topology.regions[r]?.agents[a]?.namespace;
        if (namespace === undefined) throw new Error(`no agent ${a} in region ${r}`);
        return topology.runInNamespace(namespace, argv, env);
      },
      applyCensor: (region, rules) => topology.applyCensor(region, rules),
      omitted: () => topology.omitted,
      async close() {
        topology.teardown();
        await rm(configDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    topology.teardown();
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
}
