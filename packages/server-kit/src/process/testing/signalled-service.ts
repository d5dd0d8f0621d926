// A process that runs a stand-in service under shutdownOnSignal, for shutdown-on-signal.test.ts.
// argv: <data dir for an embedded redis-server> <close behaviour: "closes" | "fails">
import type { ResolvedRedis } from '@reachmap/queue';
import { startEmbeddedRedis } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { shutdownOnSignal } from '../shutdown-on-signal.ts';

const [dataDir, behaviour] = process.argv.slice(2);
if (dataDir === undefined || (behaviour !== 'closes' && behaviour !== 'fails')) {
  throw new Error('usage: signalled-service.ts <data dir> closes|fails');
}
const logger = createLogger({ name: 'signalled-service', pretty: false });
const embedded = await startEmbeddedRedis({ dataDir });
const redis: ResolvedRedis = {
  target: { kind: 'single', url: embedded.url },
  // Logs the stop, so the test sees that it came after the service closed.
  embedded: {
    ...embedded,
    stop: async () => {
      await embedded.stop();
      logger.info('redis stopped');
    },
  },
};
shutdownOnSignal({
  close: async () => {
    // Long enough for the test to send a second signal while this shutdown runs.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (behaviour === 'fails') throw new Error('the service refused to close');
    logger.info('service closed');
  },
  redis,
  logger,
});
logger.info('service ready');
