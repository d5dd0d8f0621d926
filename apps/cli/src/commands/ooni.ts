import { join } from 'node:path';
import { AggregatorConfig, readArchive, settingsOf } from '@reachmap/aggregator';
import { classifyMeasurement } from '@reachmap/classifier';
import { admitMeasurements, openIngestQueue } from '@reachmap/collector';
import { loadConfig } from '@reachmap/config';
import type { MeasurementQuery, MeasurementWithVerdict, WithOoniDeps } from '@reachmap/ooni';
import type { Measurement } from '@reachmap/schema';
import { keptGranularities } from '@reachmap/store';
import { createLogger } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';

/** The batch's submitter recorded on ingest jobs of imported OONI data (each measurement keeps its own agent). */
const OONI_IMPORTER_ID = 'agt_ooniimporter00000000';
const DAY_MS = 86_400_000;

/**
 * Archived measurements with verdicts. The archive keeps raw measurements only, so each is judged
 * again against the controls of its round found in the same range, as the aggregator did.
 */
async function* archivedWithVerdicts(
  archiveDir: string,
  query: MeasurementQuery,
): AsyncGenerator<MeasurementWithVerdict> {
  const untilMs = query.until === null ? Date.now() : Date.parse(query.until);
  const sinceMs = query.since === null ? untilMs - DAY_MS : Date.parse(query.since);
  const byId = new Map<string, Measurement>();
  for await (const measurement of readArchive(archiveDir, {
    sinceMs,
    untilMs,
    ...(query.cc === null ? {} : { country: query.cc }),
  })) {
    byId.set(measurement.id, measurement);
  }
  for (const measurement of byId.values()) {
    if (query.target !== null && measurement.target.id !== query.target) continue;
    const controls = measurement.round.controls
      .map((id) => byId.get(id))
      .filter((control): control is Measurement => control !== undefined);
    yield { measurement, verdict: classifyMeasurement({ measurement, controls }) };
  }
}

/**
 * The dependencies of `reachmap import ooni …` and `reachmap export ooni …` (docs/ooni.md): import
 * queues into the stack's Redis, export reads the aggregator's archive.
 */
export const withOoniDeps: WithOoniDeps = async (verb, use) => {
  const config = loadConfig(AggregatorConfig);
  // The aggregator's own retention decides where (and whether) an imported measurement is kept.
  const store = settingsOf(config, new Map()).store;
  const archiveDir = config.REACHMAP_ARCHIVE_DIR ?? join(config.REACHMAP_DATA_DIR, 'archive');
  const log = createLogger({ name: 'reachmap', level: 'warn', destination: process.stderr });
  const redis =
    verb === 'import'
      ? await openRedisSession({ redisUrl: config.REDIS_URL, dataDir: config.REACHMAP_DATA_DIR }, log)
      : null;
  const queue = redis === null ? null : openIngestQueue(redis.client);
  try {
    const code = await use({
      submit: async (measurements) => {
        if (redis === null || queue === null) throw new Error('import needs Redis');
        await admitMeasurements(redis.client, queue, {
          agentId: OONI_IMPORTER_ID,
          measurements,
          now: Date.now(),
        });
      },
      listMeasurements: (query) => archivedWithVerdicts(archiveDir, query),
      keptGranularities: (measurement) =>
        keptGranularities(Date.parse(measurement.start_time), measurement.source.kind, store, Date.now()),
    });
    if (verb === 'import' && code === 0) {
      printMessage(
        'queued for the aggregator (source "ooni"): counted where listed above while `reachmap up` runs',
      );
    }
    return code;
  } finally {
    await queue?.close();
    await redis?.close();
  }
};

/** stdout may carry the exported JSONL, so messages go to stderr. */
export const printMessage = (line: string) => process.stderr.write(`${line}\n`);
