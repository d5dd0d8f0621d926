import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CountryCode, MeasurementSource, VerdictStatus } from '@reachmap/schema';
import { ClassifiedMeasurement } from '@reachmap/store';

export interface EvidenceFilters {
  country?: CountryCode;
  target?: string;
  agentId?: string;
  status?: VerdictStatus;
  sources?: readonly MeasurementSource[];
  /** Only measurements that started before this epoch ms (paging backwards). */
  beforeMs?: number;
  limit: number;
}

/** A recorded measurement with its agent's signature (null when it came unsigned). */
export interface EvidenceEntry {
  record: ClassifiedMeasurement;
  signature: string | null;
}

export interface EvidenceStoreOptions {
  /** Epoch ms now; tests pass their own clock. */
  now?: () => number;
}

// Several aggregator processes write one file and the API reads it: WAL lets readers run beside the
// one writer, and a writer waits for another's transaction instead of failing at once.
const BUSY_TIMEOUT_MS = 10_000;
const PRAGMAS = `
  PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
`;

/** SQLite's SQLITE_BUSY ("database is locked"). */
const SQLITE_BUSY = 5;

/**
 * Runs `sql`, trying again while SQLite answers "database is locked". Switching a file to WAL, or
 * opening it while the last connection closes and removes the WAL, can answer that at once without
 * calling the busy handler (aggregators that start together met it and exited, CI 2026-12-05); the
 * same wait as busy_timeout, taken here. Only at open, so the blocking sleep costs nothing later.
 */
function execWaitingForLock(db: DatabaseSync, sql: string): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec(sql);
      return;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      if ((error as { errcode?: number }).errcode !== SQLITE_BUSY || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 20);
    }
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS measurements (
    id TEXT NOT NULL UNIQUE,
    start_ms INTEGER NOT NULL,
    kept_until_ms INTEGER NOT NULL,
    country TEXT NOT NULL,
    target TEXT NOT NULL,
    agent TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    record TEXT NOT NULL,
    signature TEXT
  );
  CREATE INDEX IF NOT EXISTS measurements_by_start ON measurements (start_ms);
  CREATE INDEX IF NOT EXISTS measurements_by_country ON measurements (country, start_ms);
  CREATE INDEX IF NOT EXISTS measurements_by_expiry ON measurements (kept_until_ms);
`;

// A prune deletes at most this many rows per statement, so a writer never holds the lock for long.
const PRUNE_CHUNK = 5_000;

/**
 * The drill-down store: every counted measurement with its verdict, readable by id and listable
 * newest first for as long as its writer keeps it (REACHMAP_RECENT_TTL, 48 h by default). A SQLite file on the aggregators' disk, not
 * Redis: a record is ~1.8 KB of JSON per measurement, which in Redis was most of the memory each
 * measurement cost (docs/redis-keys.md, docs/benchmarks.md). Recording is idempotent per id, so a
 * retried job records nothing twice and refreshes no retention.
 */
export class EvidenceStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #insert: StatementSync;
  readonly #byId: StatementSync;
  readonly #prune: StatementSync;

  private constructor(db: DatabaseSync, options: EvidenceStoreOptions) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#insert = db.prepare(
      `INSERT OR IGNORE INTO measurements
         (id, start_ms, kept_until_ms, country, target, agent, status, source, record, signature)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#byId = db.prepare('SELECT record, signature FROM measurements WHERE id = ? AND kept_until_ms > ?');
    this.#prune = db.prepare(
      `DELETE FROM measurements WHERE rowid IN
         (SELECT rowid FROM measurements WHERE kept_until_ms <= ? LIMIT ${PRUNE_CHUNK})`,
    );
  }

  /** Opens (creating it and its folder if needed) the store's file. */
  static open(path: string, options: EvidenceStoreOptions = {}): EvidenceStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    try {
      execWaitingForLock(db, PRAGMAS);
      // Taken as a writer from the start: a read that turns into a write fails at once when another
      // connection wrote in between (SQLITE_BUSY_SNAPSHOT), which busy_timeout does not cover either.
      execWaitingForLock(db, `BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    } catch (error) {
      db.close();
      throw new Error(`evidence store ${path}: ${(error as Error).message}`, { cause: error });
    }
    return new EvidenceStore(db, options);
  }

  /**
   * Records measurements in one transaction, readable for `retentionMs`, each with its agent's
   * signature when the collector verified one; returns how many were new.
   */
  record(
    records: readonly ClassifiedMeasurement[],
    retentionMs: number,
    signatures: Readonly<Record<string, string>> = {},
  ): number {
    if (records.length === 0) return 0;
    const keptUntil = this.#now() + retentionMs;
    let added = 0;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const record of records) {
        const { measurement, verdict } = record;
        const result = this.#insert.run(
          measurement.id,
          Date.parse(measurement.start_time),
          keptUntil,
          measurement.network.country,
          measurement.target.id,
          measurement.agent.id,
          verdict.status,
          measurement.source.kind,
          JSON.stringify(record),
          signatures[measurement.id] ?? null,
        );
        added += Number(result.changes);
      }
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    return added;
  }

  /** One measurement with its verdict, or null once it aged out or never came. */
  get(id: string): ClassifiedMeasurement | null {
    return this.entry(id)?.record ?? null;
  }

  /** One measurement with its verdict and signature, or null once it aged out or never came. */
  entry(id: string): EvidenceEntry | null {
    const row = this.#byId.get(id, this.#now()) as { record: string; signature: string | null } | undefined;
    return row === undefined ? null : { record: parseRecord(row.record), signature: row.signature };
  }

  /** Several at once, in the order of `ids`. */
  entries(ids: readonly string[]): (EvidenceEntry | null)[] {
    return ids.map((id) => this.entry(id));
  }

  /** Recorded measurements matching the filters, newest start first. */
  list(filters: EvidenceFilters): ClassifiedMeasurement[] {
    const where = ['kept_until_ms > ?'];
    const values: (string | number)[] = [this.#now()];
    const equal = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      values.push(value);
    };
    equal('country', filters.country);
    equal('target', filters.target);
    equal('agent', filters.agentId);
    equal('status', filters.status);
    if (filters.sources !== undefined) {
      if (filters.sources.length === 0) return [];
      where.push(`source IN (${filters.sources.map(() => '?').join(', ')})`);
      values.push(...filters.sources);
    }
    if (filters.beforeMs !== undefined) {
      where.push('start_ms < ?');
      values.push(filters.beforeMs);
    }
    values.push(filters.limit);
    const rows = this.#db
      .prepare(
        `SELECT record FROM measurements WHERE ${where.join(' AND ')}
         ORDER BY start_ms DESC, id DESC LIMIT ?`,
      )
      .all(...values) as { record: string }[];
    return rows.map((row) => parseRecord(row.record));
  }

  /** Deletes what aged out; returns how many rows went. */
  prune(): number {
    const cutoff = this.#now();
    let deleted = 0;
    for (;;) {
      const changes = Number(this.#prune.run(cutoff).changes);
      deleted += changes;
      if (changes < PRUNE_CHUNK) return deleted;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function parseRecord(text: string): ClassifiedMeasurement {
  return ClassifiedMeasurement.parse(JSON.parse(text));
}

/** The evidence store's file: REACHMAP_EVIDENCE_DB, else `evidence.sqlite` in REACHMAP_DATA_DIR. */
export function evidenceStorePath(config: {
  REACHMAP_DATA_DIR: string;
  REACHMAP_EVIDENCE_DB?: string | undefined;
}) {
  return config.REACHMAP_EVIDENCE_DB ?? join(config.REACHMAP_DATA_DIR, 'evidence.sqlite');
}
