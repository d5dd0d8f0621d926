// The demo network (simulated regions and agents) as a process of its own, supervised by `reachmap up`
// (which starts it as a child and never imports it, so the production CLI carries no lab code):
// whatever it does wrong stays in this process, and the supervisor restarts it. Reads the stack's
// settings (REDIS_URL, REACHMAP_DATA_DIR) and REACHMAP_COLLECTOR_URL from the supervisor.
// REACHMAP_DEMO_WORLD_OCTET and REACHMAP_DEMO_FIRST_SLOT move its loopback addresses (as `pnpm lab run
// --world-octet/--first-slot` do), so a test's demo can run beside a developer's `reachmap up`.
import { join } from 'node:path';
import { createEnrolmentToken } from '@reachmap/collector';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { createRedisConnection, parseRedisTarget, waitUntilReady } from '@reachmap/queue';
import { runAsChild } from '@reachmap/server-kit';
import { loopbackWorldPlacement } from '../userspace/loopback-addressing.ts';
import { explainDemoStartError } from './demo-start-error.ts';
import { DEMO_REGION_SLOT_OFFSET, type DemoNetworkOptions, startDemoNetwork } from './start-demo-network.ts';

const DEMO_TOKEN_LIFETIME_MS = 3_600_000;

await runAsChild('demo', async (logger) => {
  const collectorUrl = process.env.REACHMAP_COLLECTOR_URL;
  if (collectorUrl === undefined) throw new Error('REACHMAP_COLLECTOR_URL is not set by the supervisor');
  const config = loadConfig(ServerConfig);
  if (config.REDIS_URL === undefined || config.REDIS_URL === '') {
    throw new Error('REDIS_URL is not set by the supervisor');
  }
  const redis = createRedisConnection(parseRedisTarget(config.REDIS_URL), 'producer', 'reachmap-demo');
  await waitUntilReady(redis);
  const network = await startDemoNetwork({
    collectorUrl,
    enrol: async (label) =>
      (await createEnrolmentToken(redis, { label, expiresInMs: DEMO_TOKEN_LIFETIME_MS, simulated: true }))
        .token,
    logger,
    // In the data directory: a restart (of the demo or of `up`) brings back the same agents.
    stateDir: join(config.REACHMAP_DATA_DIR, 'demo-agents'),
    ...demoAddresses(process.env),
  }).catch((error: unknown) => {
    throw explainDemoStartError(error);
  });
  return {
    stop: async () => {
      await network.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
});

/** The demo's addresses when the environment moves them; none when it does not. */
function demoAddresses(env: NodeJS.ProcessEnv): Pick<DemoNetworkOptions, 'addresses'> {
  const octet = env.REACHMAP_DEMO_WORLD_OCTET;
  const slot = env.REACHMAP_DEMO_FIRST_SLOT;
  if (!octet && !slot) return {};
  const world = Number(octet || 19);
  const firstRegionSlot = Number(slot || DEMO_REGION_SLOT_OFFSET);
  // 127.<octet> for the world, 127.(100 + slot + r) for the five regions' censors.
  if (!Number.isInteger(world) || world < 1 || world > 99 || !Number.isInteger(firstRegionSlot)) {
    throw new RangeError('REACHMAP_DEMO_WORLD_OCTET must be 1-99 and REACHMAP_DEMO_FIRST_SLOT an integer');
  }
  if (firstRegionSlot < 0 || firstRegionSlot > 150) {
    throw new RangeError('REACHMAP_DEMO_FIRST_SLOT must be 0-150 (five regions on 127.(100 + slot))');
  }
  return { addresses: { world: loopbackWorldPlacement(world), firstRegionSlot } };
}
