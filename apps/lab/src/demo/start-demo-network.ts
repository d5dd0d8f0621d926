import { join } from 'node:path';
import { loadCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import { resolveRules } from '../censor/resolve-rules.ts';
import { type LabAgent, startLabAgent } from '../runner/lab-agent.ts';
import { countryOfRegion } from '../scenario/parse-scenario.ts';
import type { ScenarioRegion } from '../scenario/scenario-schema.ts';
import { demoWorldPlacement, type WorldPlacement } from '../userspace/loopback-addressing.ts';
import { labEndpoints, startUserSpaceCensor, type UserSpaceCensor } from '../userspace/user-space-censor.ts';
import { issueWorldCertificates } from '../world/world-certificates.ts';
import { startWorldServices, type WorldServices } from '../world/world-services.ts';
import { demoScenario } from './demo-scenario.ts';

/**
 * Censor slots of the demo's regions (loopback 127.(100 + slot)): high, so a `pnpm lab run` in user
 * space on the same machine (slots from 0) does not collide with it.
 */
export const DEMO_REGION_SLOT_OFFSET = 140;

export interface DemoNetworkOptions {
  /** The collector the demo agents enrol with and report to (it must serve the lab catalogue). */
  collectorUrl: string;
  /** A one-time enrolment token for an agent with this label (e.g. the collector's createEnrolmentToken). */
  enrol: (label: string) => Promise<string>;
  logger: Logger;
  /**
   * Where the demo agents keep their identities (one directory per agent): a restarted demo brings
   * the same agents back without enrolling anew. Default: temporary directories, new agents each start.
   */
  stateDir?: string;
  /**
   * Where the demo's world and censors live; default 127.19 and slots from `DEMO_REGION_SLOT_OFFSET`.
   * Tests move it so they can run while a `reachmap up` demo is running.
   */
  addresses?: { world: WorldPlacement; firstRegionSlot: number };
}

export interface DemoNetwork {
  /** The demo's regions, for display. */
  regions: ReadonlyArray<Pick<ScenarioRegion, 'id' | 'asn' | 'agents'>>;
  /** Stops every agent, censor and world server; leaves no process or listener behind. */
  stop(): Promise<void>;
}

/**
 * A built-in network of simulated agents behind user-space censors (no root): RU-MOW resets WhatsApp
 * by SNI and polices Telegram, IR-07 answers WhatsApp names with the lab blockpage, TR-34 drops
 * YouTube's QUIC, RU-SPE and DE-BE are clean. Agents are real `reachmap-agent run --simulated`
 * processes measuring on the collector's schedule. Start-up failures throw (after cleaning up);
 * once started, agent failures are logged, never thrown.
 */
export async function startDemoNetwork(options: DemoNetworkOptions): Promise<DemoNetwork> {
  const { logger } = options;
  const { world: placement, firstRegionSlot } = options.addresses ?? {
    world: demoWorldPlacement,
    firstRegionSlot: DEMO_REGION_SLOT_OFFSET,
  };
  const scenario = demoScenario();
  const catalogue = await loadCatalogue({ kind: 'lab' });
  const certificates = await issueWorldCertificates(catalogue);
  let world: WorldServices | null = null;
  const censors: UserSpaceCensor[] = [];
  const agents: LabAgent[] = [];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.allSettled(agents.map((agent) => agent.stop()));
      await Promise.allSettled(censors.map((censor) => censor.close()));
      await world?.close();
      logger.info('demo network stopped');
    })();
    return stopping;
  };
  try {
    world = await startWorldServices({
      catalogue,
      certificates,
      placement,
      logger,
    });
    const endpoints = labEndpoints(catalogue);
    for (const [r, region] of scenario.regions.entries()) {
      censors.push(
        await startUserSpaceCensor({
          region: firstRegionSlot + r,
          agents: region.agents,
          rules: resolveRules(region.censor, catalogue),
          catalogue,
          endpoints,
          world: placement,
          onError: (error, where) => logger.warn({ err: error.message, where }, 'demo censor relay error'),
        }),
      );
    }
    const starting = scenario.regions.flatMap((region, r) =>
      Array.from({ length: region.agents }, async (_, a) => {
        const label = `demo-${region.id}-AS${region.asn}-${a}`;
        agents.push(
          await startLabAgent({
            label,
            collectorUrl: options.collectorUrl,
            token: () => options.enrol(label),
            ...(options.stateDir === undefined ? {} : { stateDir: join(options.stateDir, label) }),
            network: { country: countryOfRegion(region.id), region: region.id, asn: region.asn },
            caPem: certificates.caPem,
            userSpace: { region: firstRegionSlot + r, agent: a },
            logger,
          }),
        );
      }),
    );
    const started = await Promise.allSettled(starting);
    const failed = started.filter((result) => result.status === 'rejected');
    if (failed.length === started.length) throw (failed[0] as PromiseRejectedResult).reason;
    for (const failure of failed) {
      logger.error(
        { err: ((failure as PromiseRejectedResult).reason as Error).message },
        'demo agent did not start',
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info(
    { regions: scenario.regions.map((region) => region.id), agents: agents.length },
    'demo network started',
  );
  return {
    regions: scenario.regions.map(({ id, asn, agents: count }) => ({ id, asn, agents: count })),
    stop,
  };
}
