import { z } from 'zod';

/**
 * The verdicts a lab agent can fabricate convincingly enough for the classifier to reach them through
 * its own rules (fabricate-lie.ts): a TCP reset block, a flat rate cap and a 16 KiB stall.
 */
export const LIE_STATUSES = ['blocked', 'throttled', 'stalled'] as const;
export const LieStatus = z.enum(LIE_STATUSES);
export type LieStatus = z.infer<typeof LieStatus>;
