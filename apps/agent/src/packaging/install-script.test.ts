import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import {
  type CollectorFixture,
  type LoopbackNetwork,
  startCollectorFixture,
  startLoopbackNetwork,
} from '@reachmap/agent/testing';
import { writeMmdb } from '@reachmap/collector/testing/write-mmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../scripts/agent-bundle.ts';

const run = promisify(execFile);
const EMULATOR = join(import.meta.dirname, '..', 'testing', 'systemctl-emulator.sh');
const SCHEDULE = { interval_s: 300, jitter_s: 0, round_deadline_s: 30, concurrency: 4 };
/** A fresh system's directories and account files (shadow's tools add their own `-` backups). */
const SEED_DIRS = ['etc/systemd/system', 'opt', 'usr/local/bin', 'var/lib'];
const SEED_ETC: Record<string, string> = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\n',
  // A system group holding 999, so the agent's group number differs from its user number.
  group: 'root:x:0:\nsystem-tool:x:999:\n',
  shadow: 'root:*:19000:0:99999:7:::\n',
  gshadow: 'root:*::\n',
};

let network: LoopbackNetwork;
let collector: CollectorFixture;
let dist: string;
let root: string;
let emulatorDir: string;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  dist = await mkdtemp(join(tmpdir(), 'reachmap-install-dist-'));
  await buildAgentBundle({ outDir: dist });
  // The collector's GeoIP database places this machine's loopback address in RU, AS64500.
  const geoIp = join(dist, 'geo.mmdb');
  const record = { country: { iso_code: 'RU' }, autonomous_system_number: 64500 };
  await writeFile(geoIp, writeMmdb([{ address: '127.0.0.1', record }]));
  collector = await startCollectorFixture(network.catalogue, SCHEDULE, {
    agentDistDir: dist,
    geoIpDatabases: [geoIp],
  });
  root = await mkdtemp(join(tmpdir(), 'reachmap-install-root-'));
  // The agent runs as its own user below the root: it must be able to walk into it.
  await chmod(root, 0o755);
  for (const dir of SEED_DIRS) await mkdir(join(root, dir), { recursive: true });
  for (const [name, text] of Object.entries(SEED_ETC)) await writeFile(join(root, 'etc', name), text);
  emulatorDir = await mkdtemp(join(tmpdir(), 'reachmap-install-systemd-'));
  await mkdir(join(emulatorDir, 'bin'));
  await symlink(EMULATOR, join(emulatorDir, 'bin', 'systemctl'));
}, 120_000);

afterAll(async () => {
  await stopAgent();
  await collector?.close();
  await network?.close();
  for (const dir of [dist, root, emulatorDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The operator's one line, against the test collector, with the root and systemctl redirected. */
async function installer(
  args: string[],
  path = `${join(emulatorDir, 'bin')}:${dirname(process.execPath)}:${process.env.PATH}`,
): Promise<{ code: number; out: string; err: string }> {
  const line = `curl -fsSL ${collector.url}/agent/install.sh | sh -s -- ${args.map(quote).join(' ')}`;
  try {
    const { stdout, stderr } = await run('sh', ['-c', line], {
      env: { ...process.env, PATH: path, REACHMAP_INSTALL_ROOT: root, EMULATOR_DIR: emulatorDir },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

function agentPid(): number | null {
  try {
    const pid = Number(readFileSync(join(emulatorDir, 'agent.pid'), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function stopAgent(): Promise<void> {
  const pid = agentPid();
  if (pid === null) return;
  process.kill(pid, 'SIGTERM');
  while (agentPid() !== null) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Every path below `dir` with what would show a rewrite: mode, owner, size, inode, mtime. */
async function snapshot(dir: string, skip: readonly string[] = []): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if (skip.some((prefix) => name.startsWith(prefix))) continue;
    const info = await stat(path);
    entries[relative(dir, path)] = `${info.mode} ${info.uid} ${info.size} ${info.ino} ${info.mtimeMs}`;
  }
  return entries;
}

async function until<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) {
      const log = await readFile(join(emulatorDir, 'agent.log'), 'utf8').catch(() => '(no agent log)');
      throw new Error(`not within ${timeoutMs} ms; the agent's log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const STATE_DIR = 'var/lib/reachmap-agent';

const INSTALLER = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'agent', 'install.sh');

describe('install.sh', () => {
  it('is POSIX sh that shellcheck finds nothing in', async (context) => {
    const found = await run('sh', ['-c', 'command -v shellcheck']).catch(() => null);
    if (found === null) {
      // scripts/toolchain.sh installs it; only a machine set up another way lacks it.
      if (process.env.CI === 'true') throw new Error('shellcheck is missing (apt-get install shellcheck)');
      context.skip();
    }
    const checked = await run('shellcheck', ['--shell=sh', '--severity=style', INSTALLER, EMULATOR]).catch(
      (error: { stdout: string }) => error,
    );
    expect(checked.stdout).toBe('');
  });
});

/**
 * The installer adds a system user and hands it its files (`useradd --prefix`, `install -o`): root's
 * work, which a user namespace cannot fake with only its own id mapped. Without root its refusal is
 * what is tested (below), and docs/development.md lists this as the one test a non-root run skips.
 */
const AS_ROOT = process.getuid?.() === 0;

describe.skipIf(AS_ROOT)('install.sh run without root', () => {
  it('refuses before touching the system, saying to run it with sudo', async () => {
    const seeded = await readdir(root, { recursive: true });
    const result = await installer(['--token', 'rmt_x']);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('run me as root: curl -fsSL <collector>/agent/install.sh | sudo sh -s --');
    expect(await readdir(root, { recursive: true })).toEqual(seeded);
  });
});

describe.skipIf(!AS_ROOT)('install.sh served by the collector (as root)', () => {
  let seeded: string[];
  beforeAll(async () => {
    seeded = await readdir(root, { recursive: true });
  });

  it('says how to get Node.js 24 on a machine without it, and installs nothing', async () => {
    // A PATH with the few tools the one line needs before its Node check, and no node.
    const tools = join(emulatorDir, 'no-node');
    await mkdir(tools);
    for (const tool of ['curl', 'sh', 'id', 'grep', 'sed', 'awk']) {
      const { stdout } = await run('sh', ['-c', `command -v ${tool}`]);
      await symlink(stdout.trim(), join(tools, tool));
    }
    const result = await installer(['--token', 'rmt_x'], tools);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('Node.js 24 or later is needed (found: none)');
    expect(result.err).toContain('https://deb.nodesource.com/setup_24.x');
    expect(await readdir(root, { recursive: true })).toEqual(seeded);
  });

  it('refuses a program the collector key did not sign, before touching the system', async () => {
    const otherKey = 'A'.repeat(43);
    const result = await installer(['--token', 'rmt_x', '--collector-key', otherKey]);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('signature check failed');
    expect(await readdir(root, { recursive: true })).toEqual(seeded);
  });

  it('checks a collector key that starts with "-" (one in 64 keys) like any other', async () => {
    // node once read such a key as one of its own options ("bad option") and every install failed.
    const dashKey = `-${'A'.repeat(42)}`;
    const result = await installer(['--token', 'rmt_x', '--collector-key', dashKey]);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('the collector key did not sign this agent');
    expect(result.err).not.toContain('bad option');
  });

  it('installs, enrols in the detected network and starts an agent that measures the lab catalogue', async () => {
    // The operator's one line: the token and nothing else.
    const token = await collector.createToken();
    const result = await installer(['--token', token]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('SHA-256 and collector signature verified');
    const agentId = /^agent +(agt_\w+)/m.exec(result.out)?.[1];
    expect(agentId).toBeDefined();
    expect(result.out).toMatch(/network +RU, AS64500, unknown \(detected by the collector at 127\.0\.0\.1\)/);
    expect(result.out).toMatch(/^network +RU, AS64500, unknown$/m);
    expect(result.out).toContain('sudo reachmap-agent status');
    expect((await collector.agents()).map((agent) => agent.id)).toEqual([agentId]);

    const bundle = join(root, 'opt/reachmap-agent/reachmap-agent.mjs');
    expect(await readFile(bundle)).toEqual(await readFile(join(dist, 'reachmap-agent.mjs')));
    const unit = await readFile(join(root, 'etc/systemd/system/reachmap-agent.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} --jitless`);
    const state = await stat(join(root, STATE_DIR));
    expect(state.mode & 0o777).toBe(0o700);
    expect(state.uid).not.toBe(0);
    const [, , uid, gid] =
      (await readFile(join(root, 'etc/passwd'), 'utf8'))
        .split('\n')
        .find((line) => line.startsWith('reachmap-agent:'))
        ?.split(':') ?? [];
    expect(gid).not.toBe(uid);
    for (const owned of [state, await stat(bundle), await stat(dirname(bundle))])
      expect([owned.uid, owned.gid]).toEqual([Number(uid), Number(gid)]);
    const calls = await readFile(join(emulatorDir, 'systemctl.log'), 'utf8');
    expect(calls.split('\n')).toEqual(
      expect.arrayContaining([
        'daemon-reload',
        'enable reachmap-agent.service',
        'restart reachmap-agent.service',
      ]),
    );

    // The started unit measures the lab catalogue and delivers every measurement to the collector.
    const status = await until(async () => {
      const { stdout } = await run(process.execPath, [
        bundle,
        'status',
        '--json',
        '--state-dir',
        join(root, STATE_DIR),
      ]);
      const report = JSON.parse(stdout);
      const ingested = (await collector.ingestedIds()).length;
      return report.last_round !== null && ingested === report.last_round.measurements ? report : null;
    }, 90_000);
    expect(status.agent_id).toBe(agentId);
    expect(status.last_round.measurements).toBeGreaterThan(0);
    expect(status.last_round.hit_deadline).toBe(false);
    expect(status.last_round.duration_s).toBeLessThan(status.last_round.deadline_s);
    // Every target it judged is one of the lab catalogue's.
    const catalogueIds = network.catalogue.targets.map((target) => target.id);
    const judged = status.recent_rounds[0].verdicts.map((verdict: { target: string }) => verdict.target);
    expect(judged).toHaveLength(status.last_round.measurements);
    expect(catalogueIds).toEqual(expect.arrayContaining(judged));
    expect(status.update).toMatchObject({ state: 'current', served_version: status.version });

    // What the operator reads: enrolment, network, version and update, rounds with a line per target.
    const human = (await run(process.execPath, [bundle, 'status', '--state-dir', join(root, STATE_DIR)]))
      .stdout;
    expect(human).toMatch(/^enrolled +\d{4}-/m);
    expect(human).toMatch(/^network +RU, AS64500, unknown$/m);
    expect(human).toMatch(/^version +\d+\.\d+\.\d+$/m);
    expect(human).toMatch(/^update +up to date \(collector serves/m);
    expect(human).toMatch(/^spool +\d+ measurements waiting, [\d.]+ KiB on disk$/m);
    expect(human).toMatch(/^last submit +\d{4}-/m);
    expect(human).toMatch(
      /^round +\d{4}-.*: \d+ measurements, 0 local errors, [\d.]+ s of a \d+ s deadline$/m,
    );
    for (const target of judged) expect(human).toMatch(new RegExp(`^  ${target} +\\S`, 'm'));
    expect(agentPid()).not.toBeNull();
  }, 150_000);

  it('changes nothing when run again', async () => {
    const pid = agentPid();
    const before = await snapshot(root, [STATE_DIR]);
    const callsBefore = (await readFile(join(emulatorDir, 'systemctl.log'), 'utf8')).length;
    const result = await installer(['--token', await collector.createToken()]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('already enrolled');
    expect(result.out).toContain('nothing changed');
    expect(await snapshot(root, [STATE_DIR])).toEqual(before);
    expect(agentPid()).toBe(pid);
    const calls = (await readFile(join(emulatorDir, 'systemctl.log'), 'utf8')).slice(callsBefore);
    expect(calls).toBe('enable --now reachmap-agent.service\n');
    expect(await collector.agents()).toHaveLength(1);
  }, 60_000);

  it('turns self-update off with --update off, as a drop-in the restarted agent reads', async () => {
    const pid = agentPid();
    const result = await installer(['--update', 'off']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const dropin = join(root, 'etc/systemd/system/reachmap-agent.service.d/update.conf');
    expect(await readFile(dropin, 'utf8')).toBe('[Service]\nEnvironment=REACHMAP_AGENT_UPDATE=off\n');
    expect(agentPid()).not.toBeNull();
    expect(agentPid()).not.toBe(pid);
    const bundle = join(root, 'opt/reachmap-agent/reachmap-agent.mjs');
    await until(async () => {
      const { stdout } = await run(process.execPath, [
        bundle,
        'status',
        '--state-dir',
        join(root, STATE_DIR),
      ]);
      return /^update +self-update off/m.test(stdout) ? true : null;
    }, 30_000);
    expect((await installer(['--update', 'latest'])).err).toContain(
      '--update must be auto, off or a version',
    );
  }, 60_000);

  it('--uninstall stops the agent and leaves nothing it installed', async () => {
    const result = await installer(['--uninstall']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/reachmap admin agents revoke agt_\w+/);
    expect(agentPid()).toBeNull();
    const left = await readdir(root, { recursive: true });
    expect(left.filter((path) => !path.endsWith('-')).sort()).toEqual([...seeded].sort());
    for (const [name, text] of Object.entries(SEED_ETC))
      expect(await readFile(join(root, 'etc', name), 'utf8')).toBe(text);
  }, 60_000);
});
