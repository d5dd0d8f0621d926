import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RedisTarget } from '@reachmap/queue';

/** The lab app's demo entry: `reachmap up` starts it as a child process and never imports the lab. */
const DEMO_MAIN = fileURLToPath(import.meta.resolve('@reachmap/lab/demo-main'));
const STOP_GRACE_MS = 10_000;

/** The Redis the demo child joins: REDIS_URL when set, else the embedded server `up` started. */
export function demoRedisUrl(configured: string | undefined, target: RedisTarget): string {
  if (configured !== undefined && configured !== '') return configured;
  if (target.kind === 'single') return target.url;
  throw new Error('a Redis Cluster is reached only through REDIS_URL');
}

export interface DemoProcess {
  stop(): Promise<void>;
}

/**
 * Starts the demo network (apps/lab) against the running collector and Redis; resolves once it says
 * it is running, rejects with its reason when it fails to start. Its logs share our stdout.
 */
export async function startDemoProcess(options: {
  collectorUrl: string;
  redisUrl: string;
  logLevel: string;
}): Promise<DemoProcess> {
  const child = spawn(process.execPath, [DEMO_MAIN], {
    env: {
      ...process.env,
      REACHMAP_DEMO_COLLECTOR_URL: options.collectorUrl,
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: options.logLevel,
    },
    stdio: ['pipe', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message: { kind: string; message?: string }) => {
      if (message.kind === 'ready') resolve();
      else reject(new Error(`demo network failed to start: ${message.message}`));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`demo network exited before it was ready (code ${code}, signal ${signal})`)),
    );
    child.once('error', reject);
  });
  return { stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
