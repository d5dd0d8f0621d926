import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimScratchDir, keepScratchDir } from './scratch-dir.ts';

/** The pid of a process that has exited (and been reaped), so it names nobody now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('lab scratch directories', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'scratch-dir-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function leftover(name: string, owner: string | null): Promise<void> {
    await mkdir(join(root, name));
    await writeFile(join(root, name, 'data'), 'x');
    if (owner !== null) await writeFile(join(root, name, 'owner.pid'), owner);
  }

  it('names its owner, and removes the leftovers of dead owners only', async () => {
    await leftover('lab-stack-dead', `${deadPid()}\n`);
    await leftover('lab-stack-alive', `${process.pid}\n`);
    await leftover('lab-stack-unowned', null);
    await leftover('lab-stack-garbled', 'not a pid');
    await leftover('other-dead', `${deadPid()}\n`);
    await leftover('lab-stack-kept', `${deadPid()}\n`);
    await keepScratchDir(join(root, 'lab-stack-kept'));

    const dir = await claimScratchDir('lab-stack-', root);

    expect(await readFile(join(dir, 'owner.pid'), 'utf8')).toBe(`${process.pid}\n`);
    const names = (await readdir(root)).sort();
    expect(names).toEqual(
      [
        'lab-stack-alive',
        'lab-stack-garbled',
        'lab-stack-kept',
        'lab-stack-unowned',
        'other-dead',
        dir.slice(root.length + 1),
      ].sort(),
    );
  });
});
