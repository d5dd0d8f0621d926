import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import type { AgentIdentity } from '../identity/agent-identity.ts';
import { enrollAgent } from '../identity/enroll-agent.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import type { CollectorFixture } from './collector-fixture.ts';

/** An agent enrolled with the fixture collector, in its own temporary state directory. */
export interface EnrolledAgent {
  stateDir: string;
  identity: AgentIdentity;
  /** A valid measurement of this agent, taken a moment ago. */
  measurement(): Measurement;
  remove(): Promise<void>;
}

export async function enrolTestAgent(collector: CollectorFixture): Promise<EnrolledAgent> {
  const stateDir = await mkdtemp(join(tmpdir(), 'reachmap-agent-state-'));
  const outcome = await enrollAgent({
    stateDir,
    collectorUrl: collector.url,
    token: await collector.createToken(),
    network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
    software: AGENT_SOFTWARE,
  });
  if (!outcome.ok) throw new Error(outcome.message);
  if (outcome.configProblem !== null) throw new Error(outcome.configProblem);
  const { identity } = outcome;
  return {
    stateDir,
    identity,
    measurement: () =>
      sampleMeasurement({
        start_time: new Date(Date.now() - 1000).toISOString(),
        agent: { id: identity.agent_id, software: AGENT_SOFTWARE },
      }),
    remove: () => rm(stateDir, { recursive: true, force: true }),
  };
}
