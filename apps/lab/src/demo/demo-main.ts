// The demo network as a process of its own, started by `reachmap up` (never imported by it, so the
// production CLI carries no lab code). Reads REACHMAP_DEMO_COLLECTOR_URL and REDIS_URL (the stack's
// Redis, where it creates one enrolment token per demo agent), tells its parent over IPC when the
// network runs, and stops on SIGTERM/SIGINT or when its parent's stdin pipe closes.
import { createEnrolmentToken } from '@reachmap/collector';
import { createRedisConnection, parseRedisTarget, waitUntilReady } from '@reachmap/queue';
import { createLogger, type LogLevel } from '@reachmap/telemetry';
import { startDemoNetwork } from './start-demo-network.ts';

const DEMO_TOKEN_LIFETIME_MS = 3_600_000;

/** What the parent hears on the IPC channel. */
export type DemoProcessMessage = { kind: 'ready' } | { kind: 'failed'; message: string };

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`demo network: ${name} is required\n`);
    process.exit(2);
  }
  return value;
}

const collectorUrl = required('REACHMAP_DEMO_COLLECTOR_URL');
const redisUrl = required('REDIS_URL');
const logger = createLogger({ name: 'reachmap', level: (process.env.LOG_LEVEL ?? 'info') as LogLevel }).child(
  {
    component: 'demo',
  },
);
const tell = (message: DemoProcessMessage) => process.send?.(message);

const redis = createRedisConnection(parseRedisTarget(redisUrl), 'producer', 'reachmap-demo');
let network: Awaited<ReturnType<typeof startDemoNetwork>>;
try {
  await waitUntilReady(redis);
  network = await startDemoNetwork({
    collectorUrl,
    enrol: async (label) =>
      (await createEnrolmentToken(redis, { label, expiresInMs: DEMO_TOKEN_LIFETIME_MS })).token,
    logger,
  });
} catch (error) {
  tell({ kind: 'failed', message: (error as Error).message });
  redis.disconnect();
  process.exit(1);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await network.stop();
  await redis.quit().catch(() => redis.disconnect());
  process.disconnect?.();
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
// The parent holds our stdin: when it exits, even by SIGKILL, the pipe closes and we stop.
process.stdin.resume();
process.stdin.once('end', () => void stop());
tell({ kind: 'ready' });
