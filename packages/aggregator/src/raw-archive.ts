import { mkdir, open, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Measurement } from '@reachmap/schema';

const gzipAsync = promisify(gzip);

/**
 * One file per process and day/country, so concurrent aggregators never interleave writes; the host
 * name keeps processes of different machines sharing an archive volume apart.
 */
function fileName(): string {
  return `aggregator-${hostname()}-${process.pid}.jsonl.gz`;
}

/** `<archive>/YYYY/MM/DD/<cc>/<file>.jsonl.gz`, by the measurement's UTC start day and country. */
export function archivePathOf(archiveDir: string, measurement: Measurement): string {
  const day = new Date(measurement.start_time).toISOString();
  return join(
    archiveDir,
    day.slice(0, 4),
    day.slice(5, 7),
    day.slice(8, 10),
    measurement.network.country,
    fileName(),
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Appends measurements durably: one gzip member per file per call (a concatenation of members is
 * valid gzip, RFC 1952 §2.2, which `zcat`, DuckDB and node:zlib read as one stream), fsynced before
 * returning, and the directory fsynced when the file is new so the entry survives a crash too.
 */
export async function appendToArchive(
  archiveDir: string,
  measurements: readonly Measurement[],
): Promise<void> {
  const linesByFile = new Map<string, string[]>();
  for (const measurement of measurements) {
    const path = archivePathOf(archiveDir, measurement);
    linesByFile.set(path, [...(linesByFile.get(path) ?? []), JSON.stringify(measurement)]);
  }
  for (const [path, lines] of linesByFile) {
    const directory = dirname(path);
    await mkdir(directory, { recursive: true });
    const isNew = !(await exists(path));
    const member = await gzipAsync(`${lines.join('\n')}\n`);
    const handle = await open(path, 'a');
    try {
      await handle.write(member);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (isNew) await fsyncDirectory(directory);
  }
}
