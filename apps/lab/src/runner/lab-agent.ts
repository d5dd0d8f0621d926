import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_SOFTWARE, enrollAgent } from '@reachmap/agent';
import type { Logger } from '@reachmap/telemetry';
import { type AgentLie, lieArguments } from '../scenario/agent-lies.ts';

/** The agent's command line with the lab's lies and probe network injected (lab-agent-main.ts). */
const LAB_AGENT_MAIN = fileURLToPath(new URL('./lab-agent-main.ts', import.meta.url));
const STOP_GRACE_MS = 3_000;

export interface LabAgentOptions {
  label: string;
  collectorUrl: string;
  token: string;
  network: { country: string; region: string; asn: number };
  caPem: string;
  /** Targets this agent reports fabricated results for (the scenario's `lie` rules); none when absent. */
  lies?: readonly AgentLie[];
  /** User space: the region and agent index its probes dial through (see lab-agent-main.ts). */
  userSpace: { region: number; agent: number } | null;
  /** Kernel lab: how to start the agent inside its namespace. Default: a plain child process. */
  spawnAgent?: (argv: readonly string[]) => ChildProcess;
  logger: Logger;
}

export interface LabAgent {
  agentId: string;
  stop(): Promise<void>;
}

export class LabAgentError extends Error {
  override readonly name = 'LabAgentError';
}

/**
 * One real agent: enrolled with a real one-time token, then `reachmap-agent run --simulated` as its
 * own process, measuring the lab catalogue the collector hands out on the collector's schedule.
 */
export async function startLabAgent(options: LabAgentOptions): Promise<LabAgent> {
  const stateDir = await mkdtemp(join(tmpdir(), 'reachmap-lab-agent-'));
  const lies = options.lies ?? [];
  const caFile = join(stateDir, 'lab-ca.pem');
  await writeFile(caFile, options.caPem);
  const enrolled = await enrollAgent({
    stateDir,
    collectorUrl: options.collectorUrl,
    token: options.token,
    network: { ...options.network, network_type: 'unknown' },
    label: options.label,
    software: AGENT_SOFTWARE,
  });
  if (!enrolled.ok) {
    await rm(stateDir, { recursive: true, force: true });
    throw new LabAgentError(`enrolling ${options.label}: ${enrolled.message}`);
  }
  const argv = [
    process.execPath,
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
    REACHMAP_AGENT_LOG_LEVEL: 'warn',
    ...(options.userSpace === null ? {} : { REACHMAP_LAB_AGENT: JSON.stringify(options.userSpace) }),
  };
  const child =
    options.spawnAgent?.(argv) ??
    spawn(argv[0] ?? process.execPath, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const log = options.logger.child({ agent: options.label, agentId: enrolled.identity.agent_id });
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
    agentId: enrolled.identity.agent_id,
    async stop() {
      stopping = true;
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
