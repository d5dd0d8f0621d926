import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unitLaunch } from '@reachmap/agent/unit-launch';
import { exportPrivateKeyPem, generateAgentKeyPair } from '@reachmap/agent-auth';
import { createEnrolmentToken, LOCAL_AGENT_LIMITS, startCollector } from '@reachmap/collector';
import { signCatalogue } from '@reachmap/targets';
import { createLogger } from '@reachmap/telemetry';
import type { BenchRedis } from '../bench-redis.ts';
import { readProcessCpuSeconds } from '../processes/node-process.ts';
import type { BenchProfile } from '../profile.ts';
import type { Progress } from '../progress.ts';
import { startLoopbackCatalogue } from './loopback-catalogue.ts';

const execFileAsync = promisify(execFile);
const AGENT_BUNDLE = fileURLToPath(new URL('../../../agent/dist/reachmap-agent.mjs', import.meta.url));
/** The schedule's floor (AgentSchedule: interval_s ≥ 5); no jitter, so the first round starts at once. */
const SCHEDULE = { interval_s: 5, jitter_s: 0, round_deadline_s: 10, concurrency: 4 };
const SETTLE_AFTER_ROUND_MS = 2_000;

export type AgentFigures =
  | {
      kind: 'measured';
      bundleBytes: number;
      idleRssBytes: number;
      peakRssBytes: number;
      /** RSS of a bare `node` process waiting on a timer: the floor any Node agent starts from. */
      bareNodeRssBytes: number;
      /** The same with the unit's Node flags, the bundle's builtins loaded and a TLS context made. */
      builtinsFloorRssBytes: number;
      nodeArgs: string[];
      cpuSecondsPerRound: number;
      rounds: number;
      measurementsPerRound: number;
    }
  | { kind: 'unavailable'; bundleBytes: number | null; reason: string };

/** VmRSS / VmHWM (peak) of a process in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

/** VmRSS of `node [nodeArgs] -e script` once it has settled. */
async function idleNodeRss(nodeArgs: string[], script: string): Promise<number> {
  const idle = spawn(process.execPath, [...nodeArgs, '-e', script], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_ROUND_MS));
    return idle.pid === undefined ? Number.NaN : memoryOf(idle.pid).rss;
  } finally {
    idle.kill('SIGTERM');
  }
}

/**
 * The floor under the agent that no code of ours can lower: Node started with the unit's flags, every
 * builtin the bundle asks for loaded, and the TLS context its probes and submissions need.
 */
function builtinsFloorScript(bundle: string): string {
  const builtins = [...new Set([...bundle.matchAll(/getBuiltinModule\("([^"]+)"\)/g)].map((m) => m[1]))];
  return [
    `for (const name of ${JSON.stringify(builtins)}) process.getBuiltinModule(name);`,
    `process.getBuiltinModule('node:tls').createSecureContext();`,
    'setInterval(() => {}, 1000);',
  ].join('\n');
}

interface RoundLog {
  msg?: string;
  measurements?: number;
}

/**
 * The built agent bundle enrolled (its own `enroll` command) with an in-process collector that serves
 * a loopback catalogue, then `run` for `rounds` rounds at the 5 s floor of the schedule, both started
 * the way the systemd unit starts the agent (its Node flags and environment). CPU per round is the
 * process's CPU time between consecutive "round finished" lines (probing plus spooling and
 * submitting); idle RSS is read 2 s after the last round, while it waits for the next one.
 */
export async function measureAgentFootprint(
  redis: BenchRedis,
  profile: BenchProfile['agent'],
  progress: Progress,
): Promise<AgentFigures> {
  let bundleBytes: number;
  try {
    bundleBytes = statSync(AGENT_BUNDLE).size;
  } catch {
    return {
      kind: 'unavailable',
      bundleBytes: null,
      reason: 'no bundle: run `pnpm --filter @reachmap/agent-app build`',
    };
  }
  try {
    return await runAgent(redis, profile, progress, bundleBytes);
  } catch (error) {
    return {
      kind: 'unavailable',
      bundleBytes,
      reason: `the agent run failed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

async function runAgent(
  redis: BenchRedis,
  profile: BenchProfile['agent'],
  progress: Progress,
  bundleBytes: number,
): Promise<AgentFigures> {
  const dir = join(redis.dir, 'agent');
  const collectorDir = join(dir, 'collector');
  mkdirSync(collectorDir, { recursive: true, mode: 0o700 });
  // The collector signs configurations with the key in its data dir; the catalogue must carry the same signature.
  const { privateKey } = generateAgentKeyPair();
  writeFileSync(join(collectorDir, 'collector-ed25519.pem'), exportPrivateKeyPem(privateKey), {
    mode: 0o600,
  });
  const loopback = await startLoopbackCatalogue();
  const document = signCatalogue(loopback.catalogue, privateKey);
  const collector = await startCollector({
    redis: redis.target,
    dataDir: collectorDir,
    host: '127.0.0.1',
    port: 0,
    catalogue: async () => document,
    schedule: SCHEDULE,
    configRefreshS: 3600,
    limits: LOCAL_AGENT_LIMITS,
    geoIpDatabases: [],
    shutdownGraceMs: 1_000,
    logger: createLogger({ name: 'bench-agent-collector', level: 'silent' }),
  });
  const stateDir = join(dir, 'state');
  const launch = unitLaunch();
  const environment = { ...process.env, ...launch.environment };
  try {
    const { token } = await createEnrolmentToken(redis.client, {
      label: 'bench-agent',
      expiresInMs: 600_000,
    });
    await execFileAsync(
      process.execPath,
      [
        ...launch.nodeArgs,
        AGENT_BUNDLE,
        'enroll',
        '--collector',
        collector.url,
        '--token',
        token,
        '--country',
        'RU',
        '--region',
        'RU-MOW',
        '--asn',
        '64500',
        '--network-type',
        'fixed',
        '--state-dir',
        stateDir,
      ],
      { env: environment },
    );
    const agent = spawn(
      process.execPath,
      [...launch.nodeArgs, AGENT_BUNDLE, 'run', '--state-dir', stateDir],
      {
        env: { ...environment, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const pid = agent.pid;
    if (pid === undefined) return { kind: 'unavailable', bundleBytes, reason: 'the agent did not start' };
    try {
      const finished: { cpu: number; measurements: number }[] = [];
      await new Promise<void>((resolve, reject) => {
        let buffer = '';
        const deadline = setTimeout(
          () =>
            reject(new Error(`the agent finished ${finished.length} of ${profile.rounds} rounds in time`)),
          (profile.rounds * SCHEDULE.interval_s + 30) * 1000,
        );
        agent.once('exit', (code) => reject(new Error(`the agent exited with ${code}`)));
        agent.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) {
            let log: RoundLog;
            try {
              log = JSON.parse(line) as RoundLog;
            } catch {
              continue;
            }
            // Rounds that end while the floors are measured are not counted.
            if (log.msg !== 'round finished' || finished.length === profile.rounds) continue;
            finished.push({
              cpu: readProcessCpuSeconds(pid) ?? Number.NaN,
              measurements: log.measurements ?? 0,
            });
            progress(`agent: round ${finished.length} finished (${log.measurements} measurements)`);
            if (finished.length === profile.rounds) {
              clearTimeout(deadline);
              resolve();
            }
          }
        });
      });
      await new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_ROUND_MS));
      const memory = memoryOf(pid);
      const bareNodeRssBytes = await idleNodeRss([], 'setInterval(() => {}, 1000)');
      const builtinsFloorRssBytes = await idleNodeRss(
        launch.nodeArgs,
        builtinsFloorScript(readFileSync(AGENT_BUNDLE, 'utf8')),
      );
      const first = finished[0];
      const last = finished[finished.length - 1];
      if (first === undefined || last === undefined) throw new Error('no round finished');
      // With one round only, its CPU includes the agent's start-up.
      const cpuSecondsPerRound =
        finished.length > 1 ? (last.cpu - first.cpu) / (finished.length - 1) : first.cpu;
      return {
        kind: 'measured',
        bundleBytes,
        idleRssBytes: memory.rss,
        peakRssBytes: memory.peak,
        bareNodeRssBytes,
        builtinsFloorRssBytes,
        nodeArgs: launch.nodeArgs,
        cpuSecondsPerRound,
        rounds: finished.length,
        measurementsPerRound: last.measurements,
      };
    } finally {
      await new Promise<void>((resolve) => {
        if (agent.exitCode !== null) return resolve();
        agent.once('exit', () => resolve());
        agent.kill('SIGTERM');
      });
    }
  } finally {
    await collector.close();
    await loopback.close();
  }
}
