// Process entry of the bare-BullMQ baseline: a worker that completes every job without doing anything.
import { loadConfig, positiveInt } from '@reachmap/config';
import { createRedisConnection, parseRedisTarget } from '@reachmap/queue';
import { Worker } from 'bullmq';
import { z } from 'zod';
import { BASELINE_PREFIX, BASELINE_QUEUE } from './baseline-queue.ts';

// Set by the bench that starts this process (`bullmq-baseline.ts`), read like every process's settings.
const config = loadConfig(
  z.object({
    REDIS_URL: z.string({ message: 'the bench sets it to its private redis-server' }),
    BASELINE_CONCURRENCY: positiveInt().default(8),
  }),
);
const connection = createRedisConnection(parseRedisTarget(config.REDIS_URL), 'worker', 'reachmap-bench-noop');
const worker = new Worker(BASELINE_QUEUE, async () => {}, {
  connection,
  prefix: BASELINE_PREFIX,
  concurrency: config.BASELINE_CONCURRENCY,
});
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => connection.quit())
    .then(() => process.exit(0));
});
