import { z } from 'zod';
import { Method } from './verdict.ts';

export const ScopeLevel = z.enum(['country', 'region', 'asn']);
export type ScopeLevel = z.infer<typeof ScopeLevel>;

/** A scope's key as it appears in URLs, Redis keys and events: `RU`, `RU-MOW` or `AS12389`. */
export const ScopeKey = z
  .string()
  .regex(/^([A-Z]{2}|[A-Z]{2}-[A-Z0-9]{1,3}|AS[1-9][0-9]{0,9})$/, 'expected "RU", "RU-MOW" or "AS12389"');
export type ScopeKey = z.infer<typeof ScopeKey>;

export function scopeLevelOf(key: ScopeKey): ScopeLevel {
  if (key.startsWith('AS')) return 'asn';
  return key.includes('-') ? 'region' : 'country';
}

/** The scopes one measurement counts towards: its country, its region when known, and its ASN. */
export function scopesOfNetwork(network: {
  country: string;
  region: string | null;
  asn: number;
}): ScopeKey[] {
  const scopes: ScopeKey[] = [network.country];
  if (network.region !== null) scopes.push(network.region);
  scopes.push(`AS${network.asn}`);
  return scopes;
}

/** The state a (scope, target) pair is in on the map. `partial`: only some regions or ASNs block. */
export const ScopeStateName = z.enum([
  'accessible',
  'blocked',
  'throttled',
  'stalled',
  'partial',
  'outage',
  'insufficient',
]);
export type ScopeStateName = z.infer<typeof ScopeStateName>;

/**
 * A target failing in nearly every network at once, across countries: its servers are down (or slow)
 * for everyone, which one vantage point cannot tell from a block (docs/state-machine.md, "Target
 * outages"). Carried by the region and ASN states it turned to `outage`, so the map can say why.
 */
export const TargetOutage = z.object({
  /** Regions whose window reached an interference quorum (any of blocked, throttled, stalled). */
  regions_failing: z.number().int().min(0),
  /** Regions whose window had evidence either way (not `insufficient`). */
  regions_evidenced: z.number().int().min(0),
  /** Countries with at least one failing region. */
  countries_failing: z.number().int().min(0),
});
export type TargetOutage = z.infer<typeof TargetOutage>;

export const ScopeState = z.object({
  scope: ScopeKey,
  target: z.string(),
  state: ScopeStateName,
  method: Method.nullable(),
  confidence: z.number().min(0).max(1),
  since: z.iso.datetime(),
  agents: z.number().int().min(0),
  simulated: z.boolean(),
  /**
   * Countries only: the regions and ASNs the derived state rests on (`live`: with evidence, neither
   * `insufficient` nor `outage`) of all evaluated ones (`children`).
   */
  coverage: z.object({ live: z.number().int().min(0), children: z.number().int().min(0) }).optional(),
  /**
   * ASNs only, when some agents' runs are left out because they contradicted their peers and their
   * own controls over several windows (docs/methodology.md): how many, and why. Never their ids.
   */
  discounted: z
    .object({ agents: z.number().int().min(1), reasons: z.array(z.string().max(500)).max(20) })
    .optional(),
  /** Regions and ASNs in `outage` because the target itself was down across countries. */
  target_outage: TargetOutage.optional(),
});
export type ScopeState = z.infer<typeof ScopeState>;
