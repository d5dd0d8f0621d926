import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_SOFTWARE, enrollAgent, isEnrolled, LOCK_FILE, loadIdentity } from '@reachmap/agent';
import { unitLaunch } from '@reachmap/agent/unit-launch';
import type { Logger } from '@reachmap/telemetry';
import { type AgentLie, lieArguments } from '../scenario/agent-lies.ts';

/** The agent's command line with the lab's lies and probe network injected (lab-agent-main.ts). */
const LAB_AGENT_MAIN = fileURLToPath(new URL('./lab-agent-main.ts', import.meta.url));
const STOP_GRACE_MS = 3_000;
/**
 * Node's flags that turn WebAssembly off, which Node needs to strip the types of the sources this
 * process runs from (ERR_WEBASSEMBLY_NOT_SUPPORTED): the deployed agent is a bundle of plain JS.
 */
const NEEDS_BUNDLE = new Set(['--jitless', '--lite-mode']);

/**
 * How a lab agent's process starts: as the shipped systemd unit starts a deployed agent, its heap caps
 * and its malloc setting, less the flags a run from sources cannot take. Without them the ten demo
 * agents held ~200 MiB each after 15 minutes and went on growing, mostly freed 1 MiB HTTP bodies kept
 * in glibc's main heap, where the unit's MALLOC_TRIM_THRESHOLD_ stops glibc putting them
 * (docs/benchmarks.md, "Demo agents launched as deployed").
 */
export function labAgentLaunch(): { nodeArgs: string[]; environment: Record<string, string> } {
  const { nodeArgs, environment } = unitLaunch();
  return { nodeArgs: nodeArgs.filter((flag) => !NEEDS_BUNDLE.has(flag)), environment };
}

export interface LabAgentOptions {
  label: string;
  collectorUrl: string;
  /** A one-time enrolment token, or how to get one (asked only when the agent must enrol). */
  token: string | (() => Promise<string>);
  /**
   * A state directory the agent keeps: an agent already enrolled there starts again under the same
   * identity, without a token (the demo restarted by `reachmap up`). Default: a temporary directory,
   * removed at stop.
   */
  stateDir?: string;
  network: { country: string; region: string; asn: number };
  caPem: string;
  /** Targets this agent reports fabricated results for (the scenario's `lie` rules); none when absent. */
  lies?: readonly AgentLie[];
  /** User space: the region and agent index its probes dial through (see lab-agent-main.ts). */
  userSpace: { region: number; agent: number } | null;
  /** Kernel lab: how to start the agent, with the environment given, inside its namespace. Default: a plain child process. */
  spawnAgent?: (argv: readonly string[], env: NodeJS.ProcessEnv) => ChildProcess;
  logger: Logger;
}

export interface LabAgent {
  agentId: string;
  stop(): Promise<void>;
}

export class LabAgentError extends Error {
  override readonly name = 'LabAgentError';
}

const PREVIOUS_AGENT_WAIT_MS = 10_000;

/**
 * The agent a killed predecessor started on this state directory notices its parent is gone (its stdin
 * closes) and exits within a second or two; until then it holds the directory's lock.
 */
async function waitForPreviousAgent(stateDir: string): Promise<void> {
  const deadline = Date.now() + PREVIOUS_AGENT_WAIT_MS;
  while (Date.now() < deadline) {
    const holder = Number((await readFile(join(stateDir, LOCK_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0) return;
    try {
      process.kill(holder, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An agent enrolled (its identity in its state directory) whose process has not started yet. */
export interface EnrolledLabAgent {
  agentId: string;
  /** Starts `reachmap-agent run`: the agent measures from now on. */
  start(): LabAgent;
  /** Removes what enrolment left behind, for an agent that will never start. */
  discard(): Promise<void>;
}

/**
 * One real agent: enrolled with a real one-time token, then `reachmap-agent run --simulated` as its
 * own process, measuring the lab catalogue the collector hands out on the collector's schedule.
 */
export async function startLabAgent(options: LabAgentOptions): Promise<LabAgent> {
  return (await enrolLabAgent(options)).start();
}

/**
 * Enrols an agent without starting it, so a scenario can enrol before its clock starts: enrolment is
 * an operator's one-time step, not part of detection (under six scenarios on 2 cores it took 6 s).
 */
export async function enrolLabAgent(options: LabAgentOptions): Promise<EnrolledLabAgent> {
  const keep = options.stateDir !== undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'reachmap-lab-agent-')));
  if (keep) await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const lies = options.lies ?? [];
  const caFile = join(stateDir, 'lab-ca.pem');
  await writeFile(caFile, options.caPem);
  let agentId: string;
  if (keep && (await isEnrolled(stateDir))) {
    agentId = (await loadIdentity(stateDir)).agent_id;
    await waitForPreviousAgent(stateDir);
  } else {
    const enrolled = await enrollAgent({
      stateDir,
      collectorUrl: options.collectorUrl,
      token: typeof options.token === 'string' ? options.token : await options.token(),
      network: { ...options.network, network_type: 'unknown' },
      label: options.label,
      software: AGENT_SOFTWARE,
    });
    if (!enrolled.ok) {
      if (!keep) await rm(stateDir, { recursive: true, force: true });
      throw new LabAgentError(`enrolling ${options.label}: ${enrolled.message}`);
    }
    agentId = enrolled.identity.agent_id;
  }
  const launch = labAgentLaunch();
  const argv = [
    process.execPath,
    ...launch.nodeArgs,
    LAB_AGENT_MAIN,
    'run',
    '--state-dir',
    stateDir,
    '--simulated',
    ...lieArguments(lies),
    '--ca-file',
    caFile,
    '--shutdown-grace-s',
    '1',
  ];
  const env = {
    ...process.env,
    ...launch.environment,
    LOG_LEVEL: 'warn',
    ...(options.userSpace === null ? {} : { REACHMAP_LAB_AGENT: JSON.stringify(options.userSpace) }),
  };
  return {
    agentId,
    start: () => spawnLabAgent(options, argv, env, agentId, stateDir, keep),
    async discard() {
      if (!keep) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

function spawnLabAgent(
  options: LabAgentOptions,
  argv: string[],
  env: NodeJS.ProcessEnv,
  agentId: string,
  stateDir: string,
  keep: boolean,
): LabAgent {
  const lies = options.lies ?? [];
  const child =
    options.spawnAgent?.(argv, env) ??
    spawn(argv[0] ?? process.execPath, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const log = options.logger.child({ agent: options.label, agentId });
  child.stdout?.on('data', (chunk: Buffer) => log.debug({ output: chunk.toString().trim() }, 'agent output'));
  child.stderr?.on('data', (chunk: Buffer) => log.warn({ output: chunk.toString().trim() }, 'agent stderr'));
  if (lies.length > 0) log.info({ lies }, 'agent started lying (lie rules)');
  let exited = false;
  let stopping = false;
  child.once('exit', (code, signal) => {
    exited = true;
    // An agent leaving mid-run starves the scenario of evidence: worth a warning, unlike a stop.
    if (stopping) log.debug({ code, signal }, 'agent stopped');
    else log.warn({ code, signal }, 'agent exited before the end of the run');
  });

  return {
    agentId,
    async stop() {
      stopping = true;
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }
      if (!keep) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
