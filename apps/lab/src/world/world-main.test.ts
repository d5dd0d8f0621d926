import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@reachmap/targets';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { canUseNamespaces } from '../topology/testing/can-use-namespaces.ts';
import { buildTopology } from '../topology/topology.ts';
import { issueWorldCertificates } from './world-certificates.ts';

const WORLD_MAIN = fileURLToPath(new URL('./world-main.ts', import.meta.url));

const scenario: Scenario = {
  name: 'world-main-test',
  description: 'a world and one agent',
  duration: 60_000,
  interval: 10_000,
  regions: [{ id: 'RU-MOW', asn: 64500, agents: 1, censor: [] }],
  phases: [],
  expect: [{ noEvent: 'block.started', scope: 'RU' }],
};

describe.skipIf(!canUseNamespaces)('the kernel world process (root)', () => {
  // Found 2026-12-04: a 200-world run left 119 directories of TLS keys in /tmp, one per world.
  it('leaves no key files behind when teardown kills it', async () => {
    const catalogue = await loadCatalogue({ kind: 'lab' });
    const configDir = await mkdtemp(join(tmpdir(), 'world-main-config-'));
    const configFile = join(configDir, 'world.json');
    await writeFile(configFile, JSON.stringify(await issueWorldCertificates(catalogue)));
    const ownTmp = await mkdtemp(join(tmpdir(), 'world-main-tmp-'));
    const topology = await buildTopology(scenario, catalogue, { hostLink: false });
    try {
      const world = topology.runInNamespace(topology.world, [process.execPath, WORLD_MAIN, configFile], {
        ...process.env,
        TMPDIR: ownTmp,
      });
      let text = '';
      world.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      world.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      await expect.poll(() => text, { timeout: 20_000 }).toContain('ready');
      const exited = once(world, 'exit');
      topology.teardown();
      await exited;
      expect(await readdir(ownTmp)).toEqual([]);
      // Nor beside its config: the key stays in memory.
      expect(await readdir(configDir)).toEqual(['world.json']);
    } finally {
      topology.teardown();
      await rm(configDir, { recursive: true, force: true });
      await rm(ownTmp, { recursive: true, force: true });
    }
  }, 40_000);
});
