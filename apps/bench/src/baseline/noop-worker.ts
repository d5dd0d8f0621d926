// Process entry of the bare-BullMQ baseline: a worker that completes every job without doing anything.
import { createRedisConnection, parseRedisTarget } from '@reachmap/queue';
import { Worker } from 'bullmq';
import { BASELINE_PREFIX, BASELINE_QUEUE } from './baseline-queue.ts';

const redisUrl = process.env.REDIS_URL;
if (redisUrl === undefined) {
  process.stderr.write('REDIS_URL is required\n');
  process.exit(2);
}
const connection = createRedisConnection(parseRedisTarget(redisUrl), 'worker', 'reachmap-bench-noop');
const worker = new Worker(BASELINE_QUEUE, async () => {}, {
  connection,
  prefix: BASELINE_PREFIX,
  concurrency: Number(process.env.BASELINE_CONCURRENCY ?? '8'),
});
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => connection.quit())
    .then(() => process.exit(0));
});
