import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPOOL_MAX_BYTES } from '../spool/spool.ts';
import type { RunOptions } from './agent-commands.ts';
import { runSettings } from './agent-settings.ts';
import { UsageError } from './cli-command.ts';

function refusal(values: RunOptions, env: NodeJS.ProcessEnv): string {
  try {
    runSettings(values, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('the settings of reachmap-agent run', () => {
  it('defaults to a 100 MB spool, automatic updates and info logs', () => {
    expect(runSettings({}, {})).toEqual({
      spoolMaxBytes: DEFAULT_SPOOL_MAX_BYTES,
      updatePolicy: { mode: 'auto' },
      logLevel: 'info',
    });
  });

  it('reads the environment, and a flag wins over its variable', () => {
    const env = { REACHMAP_AGENT_SPOOL_MAX_MB: '20', REACHMAP_AGENT_UPDATE: 'off', LOG_LEVEL: 'warn' };
    expect(runSettings({}, env)).toEqual({
      spoolMaxBytes: 20 * 1024 * 1024,
      updatePolicy: { mode: 'off' },
      logLevel: 'warn',
    });
    expect(runSettings({ spoolMaxMb: '2.5', update: '0.2.0' }, env)).toMatchObject({
      spoolMaxBytes: Math.floor(2.5 * 1024 * 1024),
      updatePolicy: { mode: 'pin', version: '0.2.0' },
    });
  });

  it('names every bad value at once, as the flag when a flag gave it', () => {
    const message = refusal(
      { update: 'sometimes' },
      { REACHMAP_AGENT_SPOOL_MAX_MB: '0.5', LOG_LEVEL: 'loud', REACHMAP_AGENT_UPDATE: 'off' },
    );
    expect(message.split('\n').sort()).toEqual([
      '--update: expected auto, off or a version such as 0.2.0 (got "sometimes")',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'REACHMAP_AGENT_SPOOL_MAX_MB: expected at least 1 (MB) (got "0.5")',
    ]);
    expect(refusal({ spoolMaxMb: 'lots' }, {})).toBe(
      '--spool-max-mb: expected a number of megabytes (got "lots")',
    );
  });

  it('reads a $REACHMAP_CONFIG file like every reachmap process, the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-settings-'));
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ REACHMAP_AGENT_SPOOL_MAX_MB: 5, LOG_LEVEL: 'debug' }));
    try {
      expect(runSettings({}, { REACHMAP_CONFIG: file, LOG_LEVEL: 'error' })).toMatchObject({
        spoolMaxBytes: 5 * 1024 * 1024,
        logLevel: 'error',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
