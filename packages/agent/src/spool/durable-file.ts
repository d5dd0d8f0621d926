import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * fsync of a directory makes a created, renamed or removed entry survive a power cut; fsync of the
 * file alone does not (ext4/xfs journal the data and the name separately).
 */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `content` so that after a crash the file holds either the old or the new
 * content, never a mix: write a temporary file, fsync it, rename over the old one, fsync the directory.
 */
export async function writeFileDurably(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  // Per process, so `once` and `run` replacing the same file cannot write into each other's temporary.
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}

/** Removes a file and makes the removal durable. */
export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDirectory(dirname(path));
}
