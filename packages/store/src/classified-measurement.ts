import { MeasurementV1, Verdict } from '@reachmap/schema';
import { z } from 'zod';

/** Whether any control of the measurement's round worked; `none` when the round listed none or none arrived. */
export const ControlsHealth = z.enum(['healthy', 'failed', 'none']);
export type ControlsHealth = z.infer<typeof ControlsHealth>;

/** A measurement with the classifier's verdict: what the store counts and keeps for drill-down. */
export const ClassifiedMeasurement = z.object({
  measurement: MeasurementV1,
  verdict: Verdict,
  controls: ControlsHealth,
  received_at: z.iso.datetime({ offset: true }),
});
export type ClassifiedMeasurement = z.infer<typeof ClassifiedMeasurement>;
