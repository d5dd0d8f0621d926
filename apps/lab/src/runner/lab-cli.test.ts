import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
