import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';
import { ServerConfig } from './server-config.ts';
import { byteSize, duration, filePath, flag, positiveInt } from './values.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(content: object): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    expect(loadConfig(ServerConfig, { env: {} })).toEqual({
      REDIS_URL: undefined,
      REACHMAP_DATA_DIR: resolve('.reachmap-data'),
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      COLLECTOR_PORT: 8470,
      API_PORT: 8471,
      REACHMAP_CATALOGUE: 'lab',
      REACHMAP_PARTITIONS: 1,
    });
  });

  it('names the variable, the problem and the value for every bad setting', () => {
    const { problems, message } = problemsOf(() =>
      loadConfig(ServerConfig, { env: { API_PORT: '99999', LOG_LEVEL: 'loud', HOST: 'not an ip' } }),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual(['API_PORT', 'HOST', 'LOG_LEVEL']);
    expect(message).toContain('API_PORT: expected a port from 0 to 65535 (got "99999")');
    expect(message).toContain(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
  });

  it('reports a missing required variable as required', () => {
    const schema = z.object({ COLLECTOR_URL: z.url() });
    const { message } = problemsOf(() => loadConfig(schema, { env: {} }));
    expect(message).toMatch(/COLLECTOR_URL: required/);
  });

  it('refuses a retired variable by name, with its replacement, beside the other problems', () => {
    const { problems, message } = problemsOf(() =>
      loadConfig(ServerConfig, { env: { REACHMAP_AGENT_LOG_LEVEL: 'debug', API_PORT: 'x' } }),
    );
    expect(problems.map((p) => p.variable).sort()).toEqual(['API_PORT', 'REACHMAP_AGENT_LOG_LEVEL']);
    expect(message).toContain('REACHMAP_AGENT_LOG_LEVEL: no longer read: set LOG_LEVEL instead');
    const fromFile = problemsOf(() =>
      loadConfig(ServerConfig, { env: {}, file: writeConfig({ REFLECTOR_LOG_LEVEL: 'debug' }) }),
    );
    expect(fromFile.message).toContain('REFLECTOR_LOG_LEVEL: no longer read: set LOG_LEVEL instead');
  });

  it('never echoes the value of a secret variable', () => {
    const schema = z.object({ WEBHOOK_SECRET: z.string().startsWith('whsec_') });
    const { message } = problemsOf(() => loadConfig(schema, { env: { WEBHOOK_SECRET: 'hunter2' } }));
    expect(message).toContain('WEBHOOK_SECRET');
    expect(message).toContain('(hidden)');
    expect(message).not.toContain('hunter2');
  });

  it('reads a JSON file and lets the environment override it', () => {
    const file = join(dir, 'reachmap.json');
    writeFileSync(file, JSON.stringify({ API_PORT: 9000, COLLECTOR_PORT: 9001 }));
    const config = loadConfig(ServerConfig, { env: { REACHMAP_CONFIG: file, API_PORT: '9100' } });
    expect(config.API_PORT).toBe(9100);
    expect(config.COLLECTOR_PORT).toBe(9001);
  });

  it('makes every configured path absolute at load time: the default and environment values against the current directory', () => {
    const schema = z.object({ DATA: filePath().default('.data'), ARCHIVE: filePath().optional() });
    expect(loadConfig(schema, { env: {} })).toEqual({ DATA: join(process.cwd(), '.data') });
    expect(loadConfig(schema, { env: { DATA: 'state/x', ARCHIVE: '/srv/archive' } })).toEqual({
      DATA: join(process.cwd(), 'state/x'),
      ARCHIVE: '/srv/archive',
    });
    // Through pick/extend, as the services build their schemas from ServerConfig.
    const picked = ServerConfig.pick({ REACHMAP_DATA_DIR: true });
    expect(loadConfig(picked, { env: { REACHMAP_DATA_DIR: 'rel' } }).REACHMAP_DATA_DIR).toBe(resolve('rel'));
  });

  it('resolves a relative path from the config file against the file, not the current directory', () => {
    const sub = join(dir, 'etc');
    mkdirSync(sub, { recursive: true });
    const file = join(sub, 'paths.json');
    writeFileSync(file, JSON.stringify({ REACHMAP_DATA_DIR: '../var/data' }));
    expect(loadConfig(ServerConfig, { env: { REACHMAP_CONFIG: file } }).REACHMAP_DATA_DIR).toBe(
      join(dir, 'var/data'),
    );
    // The environment still wins, and is relative to the current directory.
    expect(
      loadConfig(ServerConfig, { env: { REACHMAP_CONFIG: file, REACHMAP_DATA_DIR: 'here' } })
        .REACHMAP_DATA_DIR,
    ).toBe(resolve('here'));
  });

  it('explains an unreadable or malformed file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadConfig(ServerConfig, { env: {}, file: bad })).toThrow(/bad\.json is not a JSON object/);
    expect(() => loadConfig(ServerConfig, { env: {}, file: join(dir, 'missing.json') })).toThrow(
      /cannot read/,
    );
  });
});

describe('value parsers', () => {
  const schema = z.object({
    WINDOW: duration(),
    SPOOL_MAX: byteSize(),
    ANONYMOUS_READ: flag(),
    QUORUM: positiveInt(),
  });
  it.each([
    [
      { WINDOW: '90s', SPOOL_MAX: '100mb', ANONYMOUS_READ: 'yes', QUORUM: '2' },
      [90_000, 104_857_600, true, 2],
    ],
    [{ WINDOW: '5m', SPOOL_MAX: '512kb', ANONYMOUS_READ: '0', QUORUM: '3' }, [300_000, 524_288, false, 3]],
    [{ WINDOW: '1500', SPOOL_MAX: '10', ANONYMOUS_READ: 'off', QUORUM: '1' }, [1500, 10, false, 1]],
  ])('parses %j', (env, expected) => {
    const config = loadConfig(schema, { env });
    expect([config.WINDOW, config.SPOOL_MAX, config.ANONYMOUS_READ, config.QUORUM]).toEqual(expected);
  });

  it.each([
    [{ WINDOW: 'soon' }, 'WINDOW: expected a duration'],
    [{ SPOOL_MAX: 'huge' }, 'SPOOL_MAX: expected a size'],
    [{ ANONYMOUS_READ: 'maybe' }, 'ANONYMOUS_READ: expected true/false'],
    [{ QUORUM: '0' }, 'QUORUM: expected > 0'],
  ])('rejects %j', (env, expected) => {
    const full = { WINDOW: '1s', SPOOL_MAX: '1kb', ANONYMOUS_READ: 'no', QUORUM: '1', ...env };
    expect(() => loadConfig(schema, { env: full })).toThrow(expected);
  });
});
