import { ScopeEvent } from '@reachmap/schema';
import type { z } from 'zod';

/**
 * An event as the state machines decide it: everything but the id. The machines are deterministic
 * (the aggregator replays them under compare-and-set), so the id is minted when the event is stored.
 */
export const ScopeEventDraft = ScopeEvent.omit({ id: true });
export type ScopeEventDraft = z.infer<typeof ScopeEventDraft>;
