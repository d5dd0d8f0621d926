import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/scenario-files.ts';

const CLI = fileURLToPath(new URL('./lab-cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCli(yaml: string) {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  // --userspace: the run must end before any namespace or process is started.
  return spawnSync(process.execPath, [CLI, 'run', file, '--userspace'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const HEAD = 'name: bad\ndescription: a bad scenario\nduration: 120s\ninterval: 15s\n';
const EXPECT = 'expect: [{ noEvent: block.started, scope: RU-MOW }]\n';

describe('lab CLI on a bad scenario file', () => {
  it.each([
    [
      'an unknown action',
      `${HEAD}regions:\n  - { id: RU-MOW, asn: 64500, agents: 2, censor: [{ match: {}, action: zap }] }\n${EXPECT}`,
      'regions[0].censor[0].action',
    ],
    ['broken YAML', `${HEAD}regions: [\n`, 'invalid scenario'],
    [
      'an unreachable rule',
      `${HEAD}regions:\n  - id: RU-MOW\n    asn: 64500\n    agents: 2\n    censor:\n      - { match: {}, action: drop }\n      - { match: { sni: "*.signal.org" }, action: reset }\n${EXPECT}`,
      'regions[0].censor[1]: unreachable',
    ],
  ])(
    '%s: exit 2 and a message naming the field',
    (_name, yaml, expected) => {
      const result = runCli(yaml);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(expected);
      expect(result.stderr).not.toContain('    at ');
    },
    60_000,
  );
});

describe('lab CLI fuzz', () => {
  const fuzz = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'fuzz', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('writes the worlds of a seed as scenario files the runner accepts, printing the seed and each world', () => {
    const out = join(dir, 'worlds');
    const result = fuzz('--seed', '42', '--count', '2', '--dry-run', '--write-scenario', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('fuzz: seed 42, 2 worlds (seeds 42-43)');
    expect(result.stderr).toMatch(/fuzz: world 43: /);
    // The written file is a scenario like any other, ready for infra/lab/scenarios/.
    expect(loadScenario(join(out, 'fuzz-43.yaml')).name).toBe('fuzz-43');
    const again = fuzz('--seed', '43', '--count', '1', '--dry-run');
    expect(again.stdout).toBe(`---\n${readFileSync(join(out, 'fuzz-43.yaml'), 'utf8')}`);
  }, 120_000);

  it('reads paths from the directory pnpm was called in (INIT_CWD), not apps/lab', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'fuzz', '--seed', '7', '--count', '1', '--dry-run', '--write-scenario', 'from-caller'],
      {
        encoding: 'utf8',
        timeout: 120_000,
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        env: { ...process.env, INIT_CWD: dir },
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const written = join(dir, 'from-caller', 'fuzz-7.yaml');
    expect(loadScenario(written).name).toBe('fuzz-7');
    const rerun = spawnSync(process.execPath, [CLI, 'run', 'from-caller/missing.yaml', '--userspace'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, INIT_CWD: dir },
    });
    expect(rerun.status).toBe(2);
    expect(rerun.stderr).toContain(`cannot read scenario file ${join(dir, 'from-caller', 'missing.yaml')}`);
  }, 120_000);

  it('takes the seed from REACHMAP_FUZZ_SEED and refuses a seed that is not a number with exit 2', () => {
    const fromEnv = spawnSync(process.execPath, [CLI, 'fuzz', '--dry-run'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, REACHMAP_FUZZ_SEED: '1234' },
    });
    expect(fromEnv.stderr).toContain('fuzz: seed 1234, 1 world');
    const bad = fuzz('--seed', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--seed must be an integer');
  }, 120_000);
});

describe('lab CLI retries', () => {
  it.each(['-1', '1.5', 'once'])(
    'refuses --retries %s with exit 2 before anything starts',
    (value) => {
      const result = spawnSync(process.execPath, [CLI, 'run', 'clean', '--userspace', `--retries=${value}`], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(`--retries must be a whole number, got "${value}"`);
    },
    60_000,
  );
});

describe('lab CLI usage errors', () => {
  it('answers an unknown option or a missing value with exit 2 and where to find the usage, not a stack trace', () => {
    for (const args of [
      ['run', 'clean', '--retires', '1'],
      ['run', 'clean', '--retries'],
    ]) {
      const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /^pnpm lab run: (unknown option '--retires'|option '--retries <n>' argument missing)/,
      );
      expect(result.stderr).toContain('Run "pnpm lab run --help" for usage.');
      expect(result.stderr).not.toContain('    at ');
    }
  }, 120_000);
});

describe('lab CLI without redis-server', () => {
  it('says so once and exits 2 before any world starts, instead of one failure per world', () => {
    // PATH holds only node's own directory: no redis-server there.
    const result = spawnSync(process.execPath, [CLI, 'fuzz', '--seed', '5', '--count', '3', '--userspace'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: dirname(process.execPath) },
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr.match(/private redis-server for each world, and none is on PATH/g)).toHaveLength(1);
    expect(result.stdout).not.toContain('lab run starting');
  }, 60_000);
});
