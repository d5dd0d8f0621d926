import { describe, expect, it } from 'vitest';
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
});
