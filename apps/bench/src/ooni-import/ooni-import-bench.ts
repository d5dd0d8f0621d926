import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OONI_IMPORT_NODE_FLAGS } from '@reachmap/ooni';
import type { Progress } from '../progress.ts';
import { writeOoniArchive } from './ooni-archive.ts';

const execFileAsync = promisify(execFile);
const WORKER = fileURLToPath(new URL('./import-worker.ts', import.meta.url));

export interface OoniImportFigures {
  archiveBytes: number;
  measurements: number;
  imported: number;
  seconds: number;
  cpuSeconds: number;
  measurementsPerSecond: number;
  peakRssBytes: number;
}

/** Where the shared OONI fixtures are: `$OONI_FIXTURES_DIR`, else beside the checkout. */
export function ooniFixturesRoot(): string | null {
  const root =
    process.env.OONI_FIXTURES_DIR ??
    fileURLToPath(new URL('../../../../../shared/fixtures', import.meta.url));
  return existsSync(join(root, 'ooni')) && existsSync(join(root, 'ooni-more')) ? root : null;
}

/**
 * `reachmap import ooni`'s importer on an archive of `archiveBytes` gzip JSONL made from the fixtures:
 * read, gunzip, parse, map and validate every measurement, with a submit that only counts (the
 * collector's share is the ingest bench's). Figures from a child process of its own.
 */
export async function runOoniImportBench(
  fixturesRoot: string,
  archiveBytes: number,
  progress: Progress,
): Promise<OoniImportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-ooni-bench-'));
  try {
    const path = join(dir, 'archive.jsonl.gz');
    progress(`ooni import: writing a ${(archiveBytes / 1e9).toFixed(2)} GB archive`);
    const measurements = await writeOoniArchive(fixturesRoot, path, archiveBytes);
    progress(`ooni import: importing ${measurements.toLocaleString('en-US')} measurements`);
    // With the heap flags `reachmap import` runs with (the launcher passes the same).
    const { stdout } = await execFileAsync(process.execPath, [...OONI_IMPORT_NODE_FLAGS, WORKER, path], {
      maxBuffer: 1024 * 1024,
      timeout: 3 * 3_600_000,
    });
    const figures = JSON.parse(stdout) as Omit<
      OoniImportFigures,
      'archiveBytes' | 'measurements' | 'measurementsPerSecond'
    >;
    return {
      ...figures,
      archiveBytes: statSync(path).size,
      measurements,
      measurementsPerSecond: figures.imported / figures.seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
