import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RULES = fileURLToPath(new URL('../.dependency-cruiser.json', import.meta.url));
const DEPCRUISE = fileURLToPath(
  new URL('../node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', import.meta.url),
);

/** A miniature house: one allowed and one forbidden import for every rule of the repository's rule file. */
const HOUSE: Record<string, string> = {
  'apps/one/src/main.ts':
    "import { lib } from '../../../packages/lib/src/index.ts';\nexport const one = lib;\n",
  'apps/one/src/sibling.ts': "import { two } from '../../two/src/main.ts';\nexport const sibling = two;\n",
  'apps/two/src/main.ts': "import { one } from './own.ts';\nexport const two = one;\n",
  'apps/two/src/own.ts': 'export const one = 1;\n',
  'packages/lib/src/index.ts': 'export const lib = 1;\n',
  'packages/lib/src/reaches-up.ts':
    "import { two } from '../../../apps/two/src/main.ts';\nexport const up = two;\n",
  'packages/classifier/src/rule.ts':
    "import { lib } from '../../lib/src/index.ts';\nexport const rule = lib;\n",
  'packages/classifier/src/dials.ts': "import { connect } from 'node:net';\nexport const dial = connect;\n",
  'packages/classifier/src/rule.test.ts':
    "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'packages/collector/src/index.ts': 'export const collector = 1;\n',
  'packages/command-line/src/index.ts':
    "import { exits } from './exit-codes.ts';\nexport const program = exits;\n",
  'packages/command-line/src/exit-codes.ts': 'export const exits = 1;\n',
  'packages/command-line/src/reaches-out.ts':
    "import { lib } from '../../lib/src/index.ts';\nexport const out = lib;\n",
  'packages/agent/src/round.ts':
    "import { collector } from '../../collector/src/index.ts';\nexport const round = collector;\n",
  'packages/agent/src/testing/fixture.ts':
    "import { collector } from '../../../collector/src/index.ts';\nexport const fixture = collector;\n",
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'reachmap-dependency-rules-'));
  for (const [path, source] of Object.entries(HOUSE)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), source);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** dependency-cruiser over the miniature house, as scripts/test.sh runs it (`err`) or as JSON. */
function cruise(outputType: 'err' | 'json'): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, '--config', RULES, '--output-type', outputType, 'apps', 'packages'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (stdout === '') return reject(error ?? new Error('dependency-cruiser printed nothing'));
        resolve({ code: error === null ? 0 : Number(error.code), stdout });
      },
    );
  });
}

describe('the dependency rules (.dependency-cruiser.json)', () => {
  it('fail on each deliberate violation and only on those', async () => {
    // The test command's form fails (a non-zero exit)...
    expect((await cruise('err')).code).not.toBe(0);
    // ...on exactly the forbidden imports, not on their allowed neighbours.
    const { violations } = (
      JSON.parse((await cruise('json')).stdout) as { summary: { violations: Violation[] } }
    ).summary;
    const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual([
      'agent-imports-no-server-code: packages/agent/src/round.ts -> packages/collector/src/index.ts',
      'apps-never-import-apps: apps/one/src/sibling.ts -> apps/two/src/main.ts',
      'command-line-stays-neutral: packages/command-line/src/reaches-out.ts -> packages/lib/src/index.ts',
      'packages-never-import-apps: packages/lib/src/reaches-up.ts -> apps/two/src/main.ts',
      'pure-logic-does-no-io: packages/classifier/src/dials.ts -> net',
    ]);
  }, 60_000);
});

describe('the map of the house (docs/development.md)', () => {
  it('names every workspace and every dependency rule', async () => {
    const repository = fileURLToPath(new URL('..', import.meta.url));
    const map =
      (await readFile(join(repository, 'docs/development.md'), 'utf8')).split('\n## Layout')[0] ?? '';
    const rules = (JSON.parse(await readFile(RULES, 'utf8')) as { forbidden: Array<{ name: string }> })
      .forbidden;
    for (const rule of rules) expect(map).toContain(`\`${rule.name}\``);
    for (const kind of ['apps', 'packages']) {
      for (const entry of await readdir(join(repository, kind), { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        // A row names `apps/x` or `packages/x`, or lists it after one (`apps/collector`, `aggregator`).
        expect(map, `${kind}/${entry.name}`).toMatch(
          new RegExp(`\\| \`${kind}/[^|]*\\b${entry.name}\\b[^|]*\\|`),
        );
      }
    }
  });
});
