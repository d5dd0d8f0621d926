import { z } from 'zod';
import { EventId, MeasurementId } from './ids.ts';
import { ScopeKey } from './scope.ts';
import { TargetId } from './target-id.ts';
import { Method, VerdictStatus } from './verdict.ts';

export const EVENT_TYPES = [
  'block.started',
  'block.ended',
  'throttle.started',
  'throttle.ended',
  'stall.started',
  'stall.ended',
  'outage.started',
  'outage.ended',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** One state transition of a (scope, target), or of a scope for outages (target null). */
export const ScopeEvent = z.object({
  id: EventId,
  type: EventType,
  scope: ScopeKey,
  target: TargetId.nullable(),
  method: Method.nullable(),
  /** When the state began (for `*.ended`, when the state that ended began). */
  since: z.iso.datetime(),
  /** When the transition was decided. */
  at: z.iso.datetime(),
  confidence: z.number().min(0).max(1),
  counts: z.partialRecord(VerdictStatus, z.number().int().min(0)),
  agents: z.number().int().min(0),
  /** Measurement ids that show the state, for anyone who wants to check the evidence. */
  witnesses: z.array(MeasurementId).max(50),
  simulated: z.boolean(),
});
export type ScopeEvent = z.infer<typeof ScopeEvent>;
