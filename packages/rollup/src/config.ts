import { z } from 'zod';
import { BucketRetention } from './bucket.ts';

const Share = z.number().gt(0).max(1);

/** One agent alone must never open a state, whatever its share: it may be broken or lying. */
export const MIN_QUORUM_AGENTS = 2;

/**
 * Every threshold of the rollup and the state machines. Defaults and their sources are explained in
 * docs/state-machine.md; docs/techniques.md calls them starting points to tune against the lab and real data.
 */
export const RollupConfig = z
  .object({
    /** Evaluation window. 15 min in production; the lab runs ~60 s windows with agents every 10-20 s. */
    windowMs: z
      .number()
      .int()
      .min(1_000)
      .default(15 * 60_000),
    quorum: z
      .object({
        /** Distinct agents that must agree. At least 2: one agent alone never opens a state. */
        agents: z.number().int().min(MIN_QUORUM_AGENTS).default(2),
        /** Share of the window's valid runs that must show the state (docs/techniques.md: ≥ 60 %). */
        share: Share.default(0.6),
      })
      .prefault({}),
    evidence: z
      .object({
        /** Below this many agents with valid runs the window is `insufficient`. */
        minAgents: z.number().int().min(1).default(2),
        /** Below this many valid runs (ok, blocked, throttled, stalled) the window is `insufficient`. */
        minValidRuns: z.number().int().min(1).default(4),
      })
      .prefault({}),
    /** Consecutive clean windows before an open block, throttle or stall ends (docs/techniques.md: two). */
    cleanWindowsToClose: z.number().int().min(1).default(2),
    outage: z
      .object({
        /** Fewer agents than this and a signal says nothing: one dead uplink is not a regional outage. */
        minAgents: z.number().int().min(1).default(2),
        /** Controls collapse when more than this share of agents had no working control round. */
        controlFailureShare: z.number().min(0).lt(1).default(0.5),
        /** IODA active probing: below 80 % of the baseline is a warning, below 50 % critical. */
        heartbeatWarningRatio: Share.default(0.8),
        heartbeatCriticalRatio: Share.default(0.5),
        /** Heartbeat baseline: median of the windows in this span (IODA active probing: 7 days). */
        baselineMs: z
          .number()
          .int()
          .positive()
          .default(7 * 24 * 3_600_000),
        cleanWindowsToClose: z.number().int().min(1).default(2),
      })
      .prefault({})
      .refine((outage) => outage.heartbeatCriticalRatio < outage.heartbeatWarningRatio, {
        message: 'heartbeatCriticalRatio must be below heartbeatWarningRatio',
        path: ['heartbeatCriticalRatio'],
      }),
    consistency: z
      .object({
        /**
         * Consecutive windows an agent must contradict its ASN peers before its runs are discounted,
         * and agree with them again before they count again (docs/methodology.md, agent consistency).
         */
        windows: z.number().int().min(1).default(3),
        /** Peers that must reach the target (ok quorum among the others) for a contradiction to count. */
        minPeers: z.number().int().min(MIN_QUORUM_AGENTS).default(2),
      })
      .prefault({}),
    targetOutage: z
      .object({
        /**
         * A target failing in at least this share of the regions with evidence, in at least
         * `minCountries` countries, is down, not blocked (rollup `assessTargetOutage`).
         */
        share: Share.default(0.8),
        minCountries: z.number().int().min(2).default(3),
        /**
         * Valid runs that make a region a witness of the target (`regionTestimony`): below a window's
         * verdict floor (4 runs, 2 agents), since it only says whether the target is up anywhere.
         */
        minRuns: z.number().int().min(1).default(2),
        /**
         * Share of a region's valid runs that must fail for it to testify the target failing
         * (`regionTestimony`): below a verdict's 60 %, since an outage may cover part of a window.
         */
        failingShare: Share.default(0.4),
      })
      .prefault({}),
    retention: BucketRetention.prefault({}),
  })
  .refine((config) => config.outage.baselineMs >= config.windowMs, {
    message: 'the heartbeat baseline must span at least one window',
    path: ['outage', 'baselineMs'],
  });
export type RollupConfig = z.infer<typeof RollupConfig>;
