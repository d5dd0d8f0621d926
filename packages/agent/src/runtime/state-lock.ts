import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '@reachmap/command-line';

export const LOCK_FILE = 'agent.lock';

export class StateDirLockedError extends Error {
  override readonly name = 'StateDirLockedError';
  constructor(stateDir: string, pid: number) {
    super(
      `another reachmap-agent (pid ${pid}) is running on ${stateDir}; two agents on one spool would corrupt it`,
    );
  }
}

export interface StateLock {
  release(): Promise<void>;
}

/**
 * One running agent per state directory. A lock left by a process that died (kill -9, power cut) is
 * taken over; a lock holding our own pid is too, since a container restart reuses pid 1.
 */
export async function acquireStateLock(stateDir: string): Promise<StateLock> {
  const path = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
      throw new StateDirLockedError(stateDir, holder);
    }
    await rm(path, { force: true });
  }
  throw new StateDirLockedError(stateDir, -1);
}
