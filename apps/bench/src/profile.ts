/**
 * How big a bench run is. `full` is what docs/benchmarks.md reports (under 5 minutes on 2 cores);
 * `quick` only proves every benchmark still runs end to end (seconds).
 */
export interface BenchProfile {
  name: 'full' | 'quick';
  ingest: {
    agents: number;
    /** Agent rounds per submitted batch; a round is 10 measurements (2 controls + 8 services). */
    roundsPerBatch: number;
    /** Size of the prepared pool of batches: the most the throughput phase can send. */
    measurements: number;
    /** The throughput phase stops sending after this long; the queue is then drained. */
    submitSeconds: number;
    /** Batches in flight at once during the throughput phase. */
    inFlight: number;
    /** Length of the latency phase, run at half the measured throughput. */
    latencySeconds: number;
    collectors: number;
    aggregators: number;
    aggregatorConcurrency: number;
  };
  ceiling: { requests: number };
  history: {
    days: number;
    countries: number;
    regionsPerCountry: number;
    targets: number;
    /** Measurements per (region/ASN network, target) and day, spread over the day. */
    measurementsPerPairPerDay: number;
  };
  queries: { repetitions: number };
  dashboard: {
    /** The history the dashboard is measured with (written by the same seeder as `history`). */
    seed: BenchProfile['history'];
    /** The baseline stack: the same networks and targets with only this many days of history. */
    baselineDays: number;
    /** Page loads per stack, each in a fresh browser context (empty cache). */
    repetitions: number;
  };
  agent: { rounds: number; idleSeconds: number };
  /** Compressed size of the OONI archive the importer reads (gzip JSONL made from the fixtures). */
  ooniImport: { archiveBytes: number };
}

export const FULL_PROFILE: BenchProfile = {
  name: 'full',
  ingest: {
    agents: 200,
    roundsPerBatch: 10,
    measurements: 100_000,
    submitSeconds: 30,
    inFlight: 32,
    latencySeconds: 10,
    collectors: 1,
    aggregators: 2,
    aggregatorConcurrency: 8,
  },
  ceiling: { requests: 500_000 },
  history: { days: 90, countries: 5, regionsPerCountry: 5, targets: 10, measurementsPerPairPerDay: 2 },
  queries: { repetitions: 100 },
  // A year, two rounds per network and day (as `history`: two rounds per recent window is what lets
  // the evaluator decide, so the map has blocked countries): every daily bucket of the year holds
  // data, which is what the 365-day timeline reads; more rounds would grow counts, not keys read.
  dashboard: {
    seed: { days: 365, countries: 3, regionsPerCountry: 4, targets: 4, measurementsPerPairPerDay: 2 },
    baselineDays: 2,
    repetitions: 10,
  },
  agent: { rounds: 3, idleSeconds: 5 },
  ooniImport: { archiveBytes: 1_000_000_000 },
};

export const QUICK_PROFILE: BenchProfile = {
  name: 'quick',
  ingest: {
    agents: 4,
    roundsPerBatch: 2,
    measurements: 400,
    submitSeconds: 10,
    inFlight: 4,
    latencySeconds: 2,
    collectors: 1,
    aggregators: 1,
    aggregatorConcurrency: 4,
  },
  ceiling: { requests: 10_000 },
  history: { days: 3, countries: 2, regionsPerCountry: 2, targets: 3, measurementsPerPairPerDay: 2 },
  queries: { repetitions: 10 },
  dashboard: {
    seed: { days: 3, countries: 2, regionsPerCountry: 2, targets: 3, measurementsPerPairPerDay: 2 },
    baselineDays: 2,
    repetitions: 2,
  },
  agent: { rounds: 1, idleSeconds: 1 },
  ooniImport: { archiveBytes: 2_000_000 },
};
