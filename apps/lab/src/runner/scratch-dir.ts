import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '@reachmap/command-line';

const OWNER_FILE = 'owner.pid';

/**
 * A temporary directory that names the process owning it, after first removing the directories of
 * the same prefix whose owner is gone. A lab run that is SIGKILLed (or whose session is cut) never
 * reaches its cleanup; found 2026-12-04: eleven stacks, 343 MB of Redis data, archives and keys.
 */
export async function claimScratchDir(prefix: string, root = tmpdir()): Promise<string> {
  await removeOrphanedScratchDirs(prefix, root);
  const dir = await mkdtemp(join(root, prefix));
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  return dir;
}

/** Keeps a claimed directory for good: later runs no longer see it as a leftover to remove. */
export async function keepScratchDir(dir: string): Promise<void> {
  await rm(join(dir, OWNER_FILE), { force: true });
}

/** Removes `root/prefix*` directories whose owner process no longer exists; returns their paths. */
export async function removeOrphanedScratchDirs(prefix: string, root = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [])) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(root, name);
    const owner = Number.parseInt(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''), 10);
    // No owner file: not ours to judge (an older run, a kept one, or one still writing it).
    if (!Number.isInteger(owner) || owner <= 0 || isProcessAlive(owner)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
