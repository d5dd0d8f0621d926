import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@reachmap/config';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStateDir } from './state-dir.ts';

describe('resolveStateDir', () => {
  it.each([
    {
      name: 'the flag first',
      flag: '/srv/agent',
      env: { REACHMAP_AGENT_DIR: '/env' },
      uid: 0,
      expected: '/srv/agent',
    },
    {
      name: 'then REACHMAP_AGENT_DIR',
      flag: undefined,
      env: { REACHMAP_AGENT_DIR: '/env' },
      uid: 0,
      expected: '/env',
    },
    {
      name: '/var/lib for root',
      flag: undefined,
      env: { XDG_STATE_HOME: '/x' },
      uid: 0,
      expected: '/var/lib/reachmap-agent',
    },
    {
      name: 'the XDG state home for a user',
      flag: undefined,
      env: { XDG_STATE_HOME: '/x' },
      uid: 1000,
      expected: '/x/reachmap-agent',
    },
    {
      name: '~/.local/state without XDG',
      flag: undefined,
      env: { HOME: '/home/pi' },
      uid: 1000,
      expected: '/home/pi/.local/state/reachmap-agent',
    },
  ])('takes $name', ({ flag, env, uid, expected }) => {
    expect(resolveStateDir(flag, env, uid)).toBe(expected);
  });

  const dir = mkdtempSync(join(tmpdir(), 'reachmap-state-dir-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads REACHMAP_AGENT_DIR through the configuration loader: from a REACHMAP_CONFIG file, made absolute', () => {
    const config = join(dir, 'agent.json');
    writeFileSync(config, JSON.stringify({ REACHMAP_AGENT_DIR: 'state' }));
    // A relative path in the file is next to the file; in the environment, next to the current directory.
    expect(resolveStateDir(undefined, { REACHMAP_CONFIG: config }, 1000)).toBe(join(dir, 'state'));
    expect(resolveStateDir(undefined, { REACHMAP_AGENT_DIR: 'here' }, 1000)).toBe(resolve('here'));
  });

  it('refuses a configuration the loader refuses, naming the variable', () => {
    expect(() => resolveStateDir(undefined, { REACHMAP_AGENT_LOG_LEVEL: 'debug' }, 1000)).toThrow(
      ConfigError,
    );
    expect(() => resolveStateDir(undefined, { REACHMAP_CONFIG: join(dir, 'missing.json') }, 1000)).toThrow(
      /REACHMAP_CONFIG: cannot read/,
    );
  });
});
