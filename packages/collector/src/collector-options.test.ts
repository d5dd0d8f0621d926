import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@reachmap/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAgentDistDir } from './agent-files/agent-files.ts';
import { CollectorConfig } from './collector-config.ts';
import { collectorOptionsFrom } from './collector-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-collector-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parts = {
  redis: { kind: 'single', url: 'redis://127.0.0.1:1' } as const,
  catalogue: async () => ({}) as never,
  logger: createLogger({ name: 'options-test', level: 'silent' }),
};

describe('the agent files a collector serves', () => {
  it('takes AGENT_DIST_DIR, "none" for no agent, and the public URL without a trailing slash', () => {
    const set = collectorOptionsFrom(
      CollectorConfig.parse({ AGENT_DIST_DIR: '/srv/agent', COLLECTOR_PUBLIC_URL: 'https://c.example.org/' }),
      parts,
    );
    expect(set).toMatchObject({ agentDistDir: '/srv/agent', publicUrl: 'https://c.example.org' });
    expect(
      collectorOptionsFrom(CollectorConfig.parse({ AGENT_DIST_DIR: 'none' }), parts).agentDistDir,
    ).toBeNull();
    expect(() => CollectorConfig.parse({ COLLECTOR_PUBLIC_URL: 'ftp://c.example.org' })).toThrow();
  });

  it("defaults to the workspace's agent build only once the agent was built", () => {
    const workspace = join(dir, 'workspace');
    const from = join(workspace, 'packages', 'collector', 'src');
    mkdirSync(from, { recursive: true });
    writeFileSync(join(workspace, 'pnpm-workspace.yaml'), 'packages: []\n');
    expect(defaultAgentDistDir(from)).toBeNull();
    mkdirSync(join(workspace, 'apps', 'agent', 'dist'), { recursive: true });
    writeFileSync(join(workspace, 'apps', 'agent', 'dist', 'reachmap-agent.json'), '{}');
    expect(defaultAgentDistDir(from)).toBe(join(workspace, 'apps', 'agent', 'dist'));
  });
});
