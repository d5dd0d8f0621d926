import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateAgentKeyPair, signAgentConfig } from '@reachmap/agent-auth';
import { catalogueVersionTag } from '@reachmap/targets';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EnrolledAgent, enrolTestAgent } from '../testing/agent-under-test.ts';
import { type CollectorFixture, startCollectorFixture } from '../testing/collector-fixture.ts';
import { type LoopbackNetwork, startLoopbackNetwork } from '../testing/loopback-network.ts';
import { CONFIG_FILE, ConfigurationStore } from './configuration-store.ts';

let network: LoopbackNetwork;
let collector: CollectorFixture;
let agent: EnrolledAgent;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  collector = await startCollectorFixture(network.catalogue);
});

afterAll(async () => {
  await collector?.close();
  await network?.close();
});

beforeEach(async () => {
  agent = await enrolTestAgent(collector);
});

afterEach(async () => {
  await collector.restart();
  await agent.remove();
});

describe('ConfigurationStore', () => {
  it('fetches and verifies the signed configuration and its catalogue from the collector', async () => {
    const store = new ConfigurationStore(agent.stateDir, agent.identity);
    const result = await store.refresh();
    expect(result.ok).toBe(true);
    expect(store.current?.catalogueVersion).toBe(catalogueVersionTag(network.catalogue));
    expect(store.current?.schedule.interval_s).toBe(300);
    expect(store.current?.catalogue.targets.map((target) => target.id)).toContain('whatsapp');
  });

  it('keeps measuring with the stored configuration while the collector is unreachable', async () => {
    await collector.stop();
    const store = new ConfigurationStore(agent.stateDir, agent.identity);
    expect((await store.loadStored())?.ok).toBe(true);
    const refresh = await store.refresh();
    expect(refresh.ok).toBe(false);
    expect(store.current?.catalogueVersion).toBe(catalogueVersionTag(network.catalogue));
  });

  it('refuses a stored configuration that was edited after the collector signed it', async () => {
    const path = join(agent.stateDir, CONFIG_FILE);
    const signed = JSON.parse(await readFile(path, 'utf8'));
    signed.config.schedule.interval_s = 5;
    await writeFile(path, JSON.stringify(signed));
    const store = new ConfigurationStore(agent.stateDir, agent.identity);
    const check = await store.loadStored();
    expect(check?.ok === false && check.reason).toBe('bad_signature');
    expect(store.current).toBeNull();
  });

  it('refuses a configuration signed by a key other than the pinned one', async () => {
    const store = new ConfigurationStore(agent.stateDir, agent.identity);
    await store.loadStored();
    const original = JSON.parse(await readFile(join(agent.stateDir, CONFIG_FILE), 'utf8'));
    const forged = signAgentConfig(
      { ...original.config, issued_at: new Date(Date.now() + 60_000).toISOString() },
      generateAgentKeyPair().privateKey,
    );
    const result = await store.accept(forged);
    expect(result.ok).toBe(false);
    expect(JSON.parse(await readFile(join(agent.stateDir, CONFIG_FILE), 'utf8'))).toEqual(original);
  });
});
