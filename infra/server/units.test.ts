import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS, SERVER_PROCESS_ENV } from '@reachmap/server-kit';
import { afterAll, describe, expect, it } from 'vitest';

const UNITS = ['collector', 'aggregator', 'api', 'reflector'].map((role) => `reachmap-${role}.service`);
const found = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!found && process.env.CI === 'true')
  throw new Error('systemd-analyze is missing: install the Debian package systemd (scripts/toolchain.sh)');
if (!found) console.warn('systemd-analyze not found: the systemd unit checks are skipped (install systemd)');

const dir = mkdtempSync(join(tmpdir(), 'reachmap-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `systemd-analyze verify` on a copy of the unit: rc 0 and not a word on stderr, since unknown keys
 * and unparsable values are only warnings. verify also insists that ExecStart's program exists, so
 * on a machine without /usr/bin/node the copy names the node running this test instead.
 */
function verify(name: string, text: string): { status: number | null; stderr: string } {
  const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
  const path = join(dir, name);
  writeFileSync(path, text.replaceAll('/usr/bin/node', node));
  const result = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe.skipIf(!found)('systemd units of the server roles', () => {
  it('ships exactly one unit per role', () => {
    const shipped = readdirSync(import.meta.dirname).filter((file) => file.endsWith('.service'));
    expect(shipped.sort()).toEqual([...UNITS].sort());
  });

  it.each(UNITS)('%s passes systemd-analyze verify without a warning', (name) => {
    expect(verify(name, readFileSync(join(import.meta.dirname, name), 'utf8'))).toEqual({
      status: 0,
      stderr: '',
    });
  });

  it.each(UNITS)('%s runs as a transient user on a read-only system with a memory cap', (name) => {
    const text = readFileSync(join(import.meta.dirname, name), 'utf8');
    for (const directive of [
      'DynamicUser=yes',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'RestrictNamespaces=yes',
      'SystemCallFilter=@system-service',
    ])
      expect(text).toContain(`\n${directive}\n`);
    expect(text).toMatch(/\nMemoryMax=\d+[MG]\n/);
  });

  it.each(UNITS)('%s sets the Node flags and environment every server process runs with', (name) => {
    const text = readFileSync(join(import.meta.dirname, name), 'utf8');
    for (const [key, value] of Object.entries(SERVER_PROCESS_ENV))
      expect(text).toContain(`\nEnvironment=${key}=${value}\n`);
    const role = name.replace(/^reachmap-|\.service$/g, '');
    expect(text).toContain(
      `\nExecStart=/usr/bin/node ${SERVER_NODE_FLAGS.join(' ')} apps/${role}/src/main.ts\n`,
    );
  });

  it('gives the aggregator and the API one evidence store, under one user that can open it', () => {
    const setting = (name: string, key: RegExp) =>
      readFileSync(join(import.meta.dirname, name), 'utf8').match(key)?.[1] ?? null;
    const evidence = /\nEnvironment=REACHMAP_EVIDENCE_DB=(\S+)\n/;
    const user = /\nUser=(\S+)\n/;
    const states = /\nStateDirectory=([^\n]+)\n/;
    const file = setting('reachmap-aggregator.service', evidence);
    expect(file).toMatch(/^\/var\/lib\/([^/]+)\/evidence\.sqlite$/);
    expect(setting('reachmap-api.service', evidence)).toBe(file);
    expect(setting('reachmap-aggregator.service', user)).not.toBeNull();
    expect(setting('reachmap-api.service', user)).toBe(setting('reachmap-aggregator.service', user));
    const directory = file?.split('/')[3] ?? '';
    for (const unit of ['reachmap-aggregator.service', 'reachmap-api.service'])
      expect(setting(unit, states)?.split(' ')).toContain(directory);
  });

  it('notices a misspelt directive, so a passing verify means something', () => {
    const text = readFileSync(join(import.meta.dirname, 'reachmap-api.service'), 'utf8');
    const broken = verify('broken.service', text.replace('ProtectSystem=strict', 'ProtectSytem=strict'));
    expect(broken.stderr).toContain("Unknown key 'ProtectSytem'");
  });
});
