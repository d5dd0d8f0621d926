// A real aggregator process (`startAggregator`, configured from the environment like main.ts) whose
// clock the parent sets over IPC, so that a test can run several processes through the same
// scripted windows. Messages in: {clock: ms} | {evaluate: true} | {stop: true}.
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { loadConfig } from '@reachmap/config';
import { parseRedisTarget } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { z } from 'zod';

const send = (message: unknown) => process.send?.(message);
const config = loadConfig(
  AggregatorConfig.extend({ SCRIPTED_CLOCK_START: z.coerce.number().int().nonnegative().default(0) }),
);
if (config.REDIS_URL === undefined) throw new Error('REDIS_URL is required');
let now = config.SCRIPTED_CLOCK_START;
const aggregator = await startAggregator({
  redis: parseRedisTarget(config.REDIS_URL),
  config,
  logger: createLogger({ name: 'scripted-aggregator', level: config.LOG_LEVEL }),
  clock: () => now,
});
process.on('message', (message: { clock?: number; evaluate?: boolean; stop?: boolean }) => {
  if (message.clock !== undefined) {
    now = message.clock;
    send({ clockSet: now });
  } else if (message.evaluate === true) {
    aggregator.evaluateNow().then(
      (result) => send({ evaluated: result.transitions }),
      (error: unknown) => send({ error: String(error) }),
    );
  } else if (message.stop === true) {
    void aggregator.stop().then(() => process.exit(0));
  }
});
// The test that forked this process is gone (it failed, or vitest ended it): nothing will stop us.
process.once('disconnect', () => void aggregator.stop().then(() => process.exit(0)));
send({ ready: true });
