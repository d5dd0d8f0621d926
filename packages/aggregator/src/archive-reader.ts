import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type CountryCode, type Measurement, MeasurementV1 } from '@reachmap/schema';

export interface ArchiveQuery {
  /** Inclusive, epoch ms. */
  sinceMs: number;
  /** Exclusive, epoch ms. */
  untilMs: number;
  country?: CountryCode;
}

async function entriesOf(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function* utcDaysBetween(sinceMs: number, untilMs: number): Generator<string> {
  const day = new Date(sinceMs);
  day.setUTCHours(0, 0, 0, 0);
  for (; day.getTime() < untilMs; day.setUTCDate(day.getUTCDate() + 1)) {
    const iso = day.toISOString();
    yield join(iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
  }
}

/**
 * Measurements from the raw archive whose start time falls in [since, until), each id once: a crash
 * between an archive write and the job's acknowledgement can leave a line twice (docs/redis-keys.md).
 */
export async function* readArchive(archiveDir: string, query: ArchiveQuery): AsyncGenerator<Measurement> {
  const emitted = new Set<string>();
  for (const day of utcDaysBetween(query.sinceMs, query.untilMs)) {
    const countries = query.country === undefined ? await entriesOf(join(archiveDir, day)) : [query.country];
    for (const country of countries) {
      const directory = join(archiveDir, day, country);
      for (const file of (await entriesOf(directory)).filter((name) => name.endsWith('.jsonl.gz'))) {
        const lines = createInterface({
          input: createReadStream(join(directory, file)).pipe(createGunzip()),
        });
        for await (const line of lines) {
          if (line === '') continue;
          const measurement = MeasurementV1.parse(JSON.parse(line));
          const start = Date.parse(measurement.start_time);
          if (start < query.sinceMs || start >= query.untilMs || emitted.has(measurement.id)) continue;
          emitted.add(measurement.id);
          yield measurement;
        }
      }
    }
  }
}
