import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '@reachmap/agent/cli';
import {
  type CollectorFixture,
  denyWriteExecuteUnavailable,
  type LoopbackNetwork,
  startCollectorFixture,
  startLoopbackNetwork,
  underDenyWriteExecute,
} from '@reachmap/agent/testing';
import { unitLaunch } from '@reachmap/agent/unit-launch';
import { bashCompletions } from '@reachmap/command-line/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE_DIR = join(import.meta.dirname, '..', '..');
const BUNDLE = join(PACKAGE_DIR, 'dist', 'reachmap-agent.mjs');

let bundleBuilt: Promise<unknown> | undefined;
/** dist/reachmap-agent.mjs, built once by this file's first test that needs it. */
async function builtBundle(): Promise<string> {
  bundleBuilt ??= run(process.execPath, [join(PACKAGE_DIR, 'scripts', 'build-bundle.ts')], {
    cwd: PACKAGE_DIR,
  });
  await bundleBuilt;
  return BUNDLE;
}

let network: LoopbackNetwork;
let collector: CollectorFixture;
let stateDir: string;

beforeAll(async () => {
  network = await startLoopbackNetwork();
  collector = await startCollectorFixture(network.catalogue);
  stateDir = await mkdtemp(join(tmpdir(), 'reachmap-agent-cli-'));
});

afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
  await collector?.close();
  await network?.close();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { REACHMAP_AGENT_DIR: stateDir },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('reachmap-agent CLI', () => {
  it('prints help for every command and exits 0', async () => {
    for (const command of ['enroll', 'run', 'once', 'status']) {
      const result = await cli(command, '--help');
      expect(result.code).toBe(0);
      expect(result.out).toContain(`reachmap-agent ${command}`);
    }
    expect((await cli('--help')).out).toMatch(/Commands:/);
    expect((await cli('--version')).out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints a bash completion script that completes its commands and options in real bash', async () => {
    const { code, out: script } = await cli('completion', 'bash');
    expect(code).toBe(0);
    expect(await bashCompletions(script, 'reachmap-agent', [''])).toEqual(
      expect.arrayContaining(['enroll', 'run', 'once', 'status', 'completion']),
    );
    expect(await bashCompletions(script, 'reachmap-agent', ['enroll', '--c'])).toEqual(
      expect.arrayContaining(['--collector', '--country']),
    );
    expect(await bashCompletions(script, 'reachmap-agent', ['run', '--state-dir', '/tmp', '--up'])).toEqual([
      '--update',
    ]);
  });

  it('rejects unknown commands, unknown options and an invalid location as usage errors', async () => {
    expect((await cli('measure')).code).toBe(2);
    const verbose = await cli('status', '--verbose');
    expect(verbose.code).toBe(2);
    expect(verbose.err).toContain("reachmap-agent status: unknown option '--verbose'");
    const bare = await cli();
    expect(bare.code).toBe(2);
    expect(bare.err).toMatch(/Commands:/);
    expect((await cli('enroll', '--token')).code).toBe(2);
    const badRegion = await cli(
      'enroll',
      '--collector',
      collector.url,
      '--token',
      'x'.repeat(32),
      '--country',
      'RU',
      '--asn',
      '12389',
      '--region',
      'DE-BE',
    );
    expect(badRegion.code).toBe(2);
    expect(badRegion.err).toMatch(/region must belong to country/);
  });

  it('refuses a LOG_LEVEL that is not a level, as every reachmap process does', async () => {
    const err: string[] = [];
    const code = await runCli(['run'], {
      out: () => {},
      err: (line) => err.push(line),
      env: { REACHMAP_AGENT_DIR: stateDir, LOG_LEVEL: 'loud' },
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('says how to enrol when the state directory holds no agent', async () => {
    const result = await cli('status');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/reachmap-agent enroll/);
  });

  it('enrols with a key only its owner can read, then shows status and measures once', async () => {
    const token = await collector.createToken();
    const enrolled = await cli(
      'enroll',
      '--collector',
      collector.url,
      '--token',
      token,
      '--country',
      'RU',
      '--region',
      'RU-MOW',
      '--asn',
      'AS12389',
      '--network-type',
      'mobile',
      '--label',
      'pi-1',
    );
    expect(enrolled.err).toBe('');
    expect(enrolled.code).toBe(0);
    expect(enrolled.out).toMatch(/enrolled as agt_/);
    expect((await stat(join(stateDir, 'agent-ed25519.pem'))).mode & 0o777).toBe(0o600);

    const again = await cli(
      'enroll',
      '--collector',
      collector.url,
      '--token',
      token,
      '--country',
      'RU',
      '--asn',
      '12389',
    );
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds an enrolled agent/);

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.out);
    expect(report.network).toEqual({ country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'mobile' });
    expect(report.label).toBe('pi-1');
    expect(report.catalogue).toMatch(/^2026\.11\.23\.1\+/);
    expect(report.spool.pending_measurements).toBe(0);

    const measured = await cli('once', '--target', 'whatsapp', '--ca-file', await writeCa());
    expect(measured.code).toBe(0);
    expect(measured.out).toMatch(/whatsapp\s+service/);
    expect(measured.out).toMatch(/control-foreign-lab\s+control/);
    expect(measured.out).toMatch(/SNI filtering/);

    const unknown = await cli('once', '--target', 'telegram');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no target "telegram"/);
  });

  it('builds a single-file bundle that runs with plain Node outside the repository', async () => {
    const bundle = await builtBundle();
    const outside = await mkdtemp(join(tmpdir(), 'reachmap-agent-bundle-'));
    try {
      await copyFile(bundle, join(outside, 'reachmap-agent.mjs'));
      const { stdout } = await run(process.execPath, ['reachmap-agent.mjs', '--help'], { cwd: outside });
      expect(stdout).toMatch(/Usage: reachmap-agent \[options\] \[command\]/);
      const once = await run(process.execPath, ['reachmap-agent.mjs', 'once', '--help'], { cwd: outside });
      expect(once.stdout).toMatch(/--target <id>/);
      // The footprint measures of scripts/build-bundle.ts: `once` evaluates the probes, which use
      // node:http, node:tls and node:crypto, yet Node's undici, http2 and WebCrypto stay unloaded. (Its
      // help no longer evaluates them, so `once` runs here, stopping at the missing identity.)
      const listModules =
        'data:text/javascript,process.on("exit",()=>console.error(process.moduleLoadList.join()))';
      const loaded = await run(process.execPath, ['--import', listModules, 'reachmap-agent.mjs', 'once'], {
        cwd: outside,
        env: { ...process.env, REACHMAP_AGENT_DIR: outside },
      }).catch((error: { code: number; stderr: string }) => error);
      expect(loaded).toMatchObject({ code: 1, stderr: expect.stringContaining('no agent identity') });
      expect(loaded.stderr).toMatch(/NativeModule http\b/);
      expect(loaded.stderr).toMatch(/NativeModule tls\b/);
      expect(loaded.stderr).not.toMatch(/undici|http2|webcrypto/);
      // Reading node:util's property descriptors would load worker_threads and 40-odd more.
      expect(loaded.stderr).not.toMatch(/worker_threads/);
      // One byte per character: V8 keeps the source as a one-byte string, half the size of a two-byte one.
      const source = await readFile(join(outside, 'reachmap-agent.mjs'), 'utf8');
      expect(Buffer.byteLength(source)).toBe(source.length);
      // No lab code in what operators install: lies are the lab's, injected by its own agent entry.
      expect(source).not.toMatch(/fabricateLie|parseLies|LIE_STATUSES|--lie/);
      const lying = await run(
        process.execPath,
        ['reachmap-agent.mjs', 'once', '--simulated', '--lie', 'x=blocked'],
        {
          cwd: outside,
        },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(lying).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--lie'") });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("measures with the unit's Node flags under memory-deny-write-execute, which stops a JIT", async (context) => {
    const unavailable = await denyWriteExecuteUnavailable();
    if (unavailable !== null) context.skip(`memory-deny-write-execute cannot be set here: ${unavailable}`);
    // The guard holds: Node with its JIT aborts at start-up under it.
    await expect(run(...underDenyWriteExecute(process.execPath, ['-e', '0']))).rejects.toMatchObject({
      signal: 'SIGTRAP',
    });
    const { nodeArgs, environment } = unitLaunch();
    const bundle = await builtBundle();
    const ca = await writeCa();
    const { stdout } = await run(
      ...underDenyWriteExecute(process.execPath, [
        ...nodeArgs,
        bundle,
        'once',
        '--target',
        'whatsapp',
        '--ca-file',
        ca,
      ]),
      { env: { ...process.env, ...environment, REACHMAP_AGENT_DIR: stateDir } },
    );
    expect(stdout).toMatch(/whatsapp\s+service/);
    expect(stdout).toMatch(/SNI filtering/);
  });
});

async function writeCa(): Promise<string> {
  const path = join(stateDir, 'lab-ca.pem');
  await writeFile(path, network.caPem);
  return path;
}
