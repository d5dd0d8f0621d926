import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OONI_IMPORT_ENV, OONI_IMPORT_NODE_FLAGS } from '@reachmap/ooni';
import { startBenchRedis } from '../bench-redis.ts';
import type { Progress } from '../progress.ts';
import { writeOoniArchive } from './ooni-archive.ts';

const execFileAsync = promisify(execFile);
const WORKER = fileURLToPath(new URL('./import-worker.ts', import.meta.url));
const READ_FLOOR_WORKER = fileURLToPath(new URL('./read-floor-worker.ts', import.meta.url));
/** The README's front door: what a user runs (`./reachmap import ooni <archive>`). */
const LAUNCHER = fileURLToPath(new URL('../../../../reachmap', import.meta.url));

/** `./reachmap import ooni` on the same archive, queueing into a real Redis. */
export interface ImportCommandFigures {
  seconds: number;
  /** The bundled command's peak resident set (VmHWM of the launcher's pid after its exec). */
  peakRssBytes: number;
  exitCode: number | null;
}

/** The floor: gunzip, line splitting and JSON.parse of the same archive, nothing else. */
export interface ReadFloorFigures {
  lines: number;
  seconds: number;
  /** The share of `seconds` spent in JSON.parse. */
  parseSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface OoniImportFigures {
  archiveBytes: number;
  measurements: number;
  imported: number;
  seconds: number;
  cpuSeconds: number;
  measurementsPerSecond: number;
  peakRssBytes: number;
  command: ImportCommandFigures;
  floor: ReadFloorFigures;
}

/** VmHWM of a live process in bytes; null once it is gone. */
function peakResidentBytes(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/**
 * Runs `./reachmap import ooni <archive>` as a user does (the launcher bundles the OONI commands and
 * caps the heap) into a private Redis, sampling the process's peak RSS until it exits. The launcher
 * `exec`s node, so the pid is the importer's; its VmHWM restarts at the exec, so the launcher's own
 * bundle check is not counted.
 */
async function runImportCommand(archive: string): Promise<ImportCommandFigures> {
  const redis = await startBenchRedis();
  try {
    const started = performance.now();
    const child = spawn(LAUNCHER, ['import', 'ooni', archive], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: redis.embedded.url,
        REACHMAP_DATA_DIR: redis.dir,
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    let peak = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, peakResidentBytes(child.pid) ?? 0);
    }, 100);
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(sampler);
    return { seconds: (performance.now() - started) / 1000, peakRssBytes: peak, exitCode };
  } finally {
    await redis.stop();
  }
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
    // With the heap flags and environment `reachmap import` runs with (the launcher passes the same).
    const { stdout } = await execFileAsync(process.execPath, [...OONI_IMPORT_NODE_FLAGS, WORKER, path], {
      env: { ...process.env, ...OONI_IMPORT_ENV },
      maxBuffer: 1024 * 1024,
      timeout: 3 * 3_600_000,
    });
    const figures = JSON.parse(stdout) as Omit<
      OoniImportFigures,
      'archiveBytes' | 'measurements' | 'measurementsPerSecond' | 'command' | 'floor'
    >;
    progress('ooni import: the read floor (gunzip, split, JSON.parse only) on the same archive');
    const floor = JSON.parse(
      (await execFileAsync(process.execPath, [READ_FLOOR_WORKER, path], { timeout: 3_600_000 })).stdout,
    ) as ReadFloorFigures;
    progress('ooni import: the same archive through `./reachmap import ooni`, queueing into Redis');
    const command = await runImportCommand(path);
    return {
      ...figures,
      command,
      floor,
      archiveBytes: statSync(path).size,
      measurements,
      measurementsPerSecond: figures.imported / figures.seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
