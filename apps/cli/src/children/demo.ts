// The demo network (simulated regions and agents) as a child of `reachmap up`: whatever it does wrong
// stays in this process; the supervisor restarts it.
import { join } from 'node:path';
import { createEnrolmentToken } from '@reachmap/collector';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { startDemoNetwork } from '@reachmap/lab';
import { runAsChild } from '../supervisor/child-runtime.ts';
import { openChildRedis } from './child-redis.ts';

const DEMO_TOKEN_LIFETIME_MS = 3_600_000;

await runAsChild('demo', async (logger) => {
  const collectorUrl = process.env.REACHMAP_COLLECTOR_URL;
  if (collectorUrl === undefined) throw new Error('REACHMAP_COLLECTOR_URL is not set by the supervisor');
  const redis = await openChildRedis(logger);
  const network = await startDemoNetwork({
    collectorUrl,
    enrol: async (label) =>
      (await createEnrolmentToken(redis.client, { label, expiresInMs: DEMO_TOKEN_LIFETIME_MS })).token,
    logger,
    // In the data directory: a restart (of the demo or of `up`) brings back the same agents.
    stateDir: join(loadConfig(ServerConfig).REACHMAP_DATA_DIR, 'demo-agents'),
  });
  return {
    stop: async () => {
      await network.stop();
      await redis.close();
    },
  };
});
