import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerfileNodeArgs, unitLaunch } from './unit-launch.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-unit-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function unitFile(text: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.service`);
  writeFileSync(path, text);
  return path;
}

describe('unitLaunch', () => {
  it('reads Node flags from ExecStart and the Environment= assignments, quoted or not', () => {
    const launch = unitLaunch(
      unitFile(
        [
          '[Service]',
          'ExecStart=/usr/bin/node --jitless --max-old-space-size=96 /opt/reachmap-agent/reachmap-agent.mjs run',
          'Environment=REACHMAP_AGENT_DIR=/var/lib/reachmap-agent',
          'Environment="A=1 2" B=3',
        ].join('\n'),
      ),
    );
    expect(launch.nodeArgs).toEqual(['--jitless', '--max-old-space-size=96']);
    expect(launch.environment).toEqual({ A: '1 2', B: '3' });
  });

  it('refuses a unit that does not start the bundle with node', () => {
    expect(() => unitLaunch(unitFile('[Service]\nExecStart=/opt/reachmap-agent/run.sh\n'))).toThrow(
      /must start the bundle with node/,
    );
    expect(() => unitLaunch(unitFile('[Service]\n'))).toThrow(/has no ExecStart= line/);
  });

  it('finds the same Node flags in the shipped unit and the shipped image', () => {
    const { nodeArgs } = unitLaunch();
    expect(nodeArgs).toContain('--jitless');
    expect(dockerfileNodeArgs()).toEqual(nodeArgs);
  });
});
